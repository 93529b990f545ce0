/**
 * Test doubles of window and session stores (plain in-memory, no cache, no changelog), installed into
 * `Stores` only while the state-stores package has no window/session builders of its own, so the
 * windowing processors can be tested through the driver either way.
 */
import type { StateStore, StateStoreContext, StoreBuilder } from '../../core/processor/state-store.ts';
import { Stores } from '../../state-stores/stores.ts';
import type { Windowed } from '../../operators/store-views.ts';

abstract class DoubleStore implements StateStore {
  readonly persistent = false;
  private open = false;
  constructor(readonly name: string) {}
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
}

class WindowStoreDouble<K, V> extends DoubleStore {
  readonly rows = new Map<string, { key: K; start: number; value: V }>();
  constructor(name: string, private readonly sizeMs: number) {
    super(name);
  }
  private id(key: K, start: number): string {
    return `${JSON.stringify(key)}@${String(start).padStart(16, '0')}`;
  }
  put(key: K, value: V | null, start: number): void {
    if (value === null) this.rows.delete(this.id(key, start));
    else this.rows.set(this.id(key, start), { key, start, value });
  }
  fetch(key: K, start: number): V | undefined {
    return this.rows.get(this.id(key, start))?.value;
  }
  *fetchRange(key: K, from: number, to: number, backward = false): Iterable<{ windowStart: number; value: V }> {
    const k = JSON.stringify(key);
    const list = [...this.rows.values()].filter((r) => JSON.stringify(r.key) === k && r.start >= from && r.start <= to).sort((a, b) => a.start - b.start);
    if (backward) list.reverse();
    for (const r of list) yield { windowStart: r.start, value: r.value };
  }
  *fetchAll(from: number, to: number): Iterable<{ key: Windowed<K>; value: V }> {
    const list = [...this.rows.values()].filter((r) => r.start >= from && r.start <= to).sort((a, b) => a.start - b.start);
    for (const r of list) yield { key: { key: r.key, window: { start: r.start, end: r.start + this.sizeMs } }, value: r.value };
  }
}

class SessionStoreDouble<K, V> extends DoubleStore {
  readonly rows = new Map<string, { key: Windowed<K>; value: V }>();
  private id(key: Windowed<K>): string {
    return `${JSON.stringify(key.key)}@${key.window.start}-${key.window.end}`;
  }
  *findSessions(key: K, earliestEnd: number, latestStart: number): Iterable<{ key: Windowed<K>; value: V }> {
    const k = JSON.stringify(key);
    const list = [...this.rows.values()]
      .filter((r) => JSON.stringify(r.key.key) === k && r.key.window.end >= earliestEnd && r.key.window.start <= latestStart)
      .sort((a, b) => a.key.window.end - b.key.window.end);
    yield* list;
  }
  put(key: Windowed<K>, value: V | null): void {
    if (value === null) this.rows.delete(this.id(key));
    else this.rows.set(this.id(key), { key, value });
  }
  remove(key: Windowed<K>): void {
    this.rows.delete(this.id(key));
  }
}

function builder(name: string, build: () => StateStore): StoreBuilder {
  return { name, loggingEnabled: false, logConfig: {}, build };
}

/** Installs the doubles into `Stores` when it lacks window/session builders; returns whether it did. */
export function ensureWindowedStores(): boolean {
  const stores = Stores as unknown as globalThis.Record<string, unknown>;
  let installed = false;
  if (typeof stores.windowStoreBuilder !== 'function') {
    // Values reach the double already typed (the metered layer would deserialize them).
    stores.windowStoreBuilder = (o: { name: string; windowSizeMs: number }) => builder(o.name, () => new WindowStoreDouble(o.name, o.windowSizeMs));
    installed = true;
  }
  if (typeof stores.sessionStoreBuilder !== 'function') {
    stores.sessionStoreBuilder = (o: { name: string }) => builder(o.name, () => new SessionStoreDouble(o.name));
    installed = true;
  }
  return installed;
}
