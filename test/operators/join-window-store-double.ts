/**
 * A test double of a duplicate-retaining window store (plain in-memory, no changelog), installed into
 * `Stores` only while state-stores has no `windowStoreBuilder` of its own, so the stream-stream join
 * tests run through the driver either way. Keeps records for `retentionMs` behind the largest
 * timestamp put, as a segmented store does.
 */
import type { StateStore, StateStoreContext, StoreBuilder } from '../../core/processor/state-store.ts';
import { Stores } from '../../state-stores/stores.ts';

class JoinWindowStoreDouble<K, V> implements StateStore {
  readonly persistent = false;
  private open = false;
  private observed = -1;
  private readonly rows = new Map<string, { ts: number; value: V }[]>();
  constructor(
    readonly name: string,
    private readonly retentionMs: number,
    private readonly retainDuplicates: boolean,
  ) {}
  init(_context: StateStoreContext, _root: StateStore): void {
    this.open = true;
  }
  flush(): void {}
  close(): void {
    this.open = false;
  }
  isOpen(): boolean {
    return this.open;
  }
  put(key: K, value: V | null, ts: number): void {
    if (ts > this.observed) this.observed = ts;
    if (ts < this.observed - this.retentionMs) return;
    const id = JSON.stringify(key);
    let list = this.rows.get(id);
    if (list === undefined) this.rows.set(id, (list = []));
    if (!this.retainDuplicates) {
      const i = list.findIndex((r) => r.ts === ts);
      if (i >= 0) list.splice(i, 1);
    }
    if (value === null) return;
    list.push({ ts, value });
    list.sort((a, b) => a.ts - b.ts);
  }
  *fetchRange(key: K, from: number, to: number): Iterable<{ windowStart: number; value: V }> {
    const low = Math.max(from, this.observed - this.retentionMs);
    for (const r of this.rows.get(JSON.stringify(key)) ?? []) if (r.ts >= low && r.ts <= to) yield { windowStart: r.ts, value: r.value };
  }
}

/** Installs the double when `Stores` lacks `windowStoreBuilder`; returns whether it did. */
export function ensureJoinWindowStores(): boolean {
  const stores = Stores as unknown as globalThis.Record<string, unknown>;
  if (typeof stores.windowStoreBuilder === 'function') return false;
  stores.windowStoreBuilder = (o: { name: string; retentionMs: number; retainDuplicates?: boolean }): StoreBuilder => ({
    name: o.name,
    loggingEnabled: false,
    logConfig: {},
    build: () => new JoinWindowStoreDouble(o.name, o.retentionMs, o.retainDuplicates ?? false),
  });
  return true;
}
