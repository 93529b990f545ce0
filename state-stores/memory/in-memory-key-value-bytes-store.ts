/**
 * The in-memory key-value store: a {@link SortedBytesMap}, so ranges and prefix scans run in the byte
 * order of the keys. Not persistent: it has no local state across restarts (restoredOffset() is null)
 * and is rebuilt from its changelog when its task starts.
 */
import type { RestoreRecord, StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry, KeyValueBytesStore } from '../key-value-bytes-store.ts';
import { SortedBytesMap } from '../sorted-bytes-map.ts';
import { prefixUpperBound } from '../bytes.ts';
import { storeNotOpen } from '../store-errors.ts';

export class InMemoryKeyValueBytesStore implements KeyValueBytesStore {
  readonly persistent = false;
  private readonly map = new SortedBytesMap<Buffer>();
  private opened = false;

  constructor(readonly name: string) {}

  init(context: StateStoreContext, root: StateStore): void {
    this.opened = true;
    context.register(root, (records) => this.restoreBatch(records));
  }

  /** Applies a batch of changelog records. */
  restoreBatch(records: readonly RestoreRecord[]): void {
    const map = this.map;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.value === null) map.delete(r.key);
      else map.set(r.key, r.value);
    }
  }

  get(key: Buffer): Buffer | undefined {
    if (!this.opened) throw storeNotOpen(this.name);
    return this.map.get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    if (!this.opened) throw storeNotOpen(this.name);
    if (value === null) this.map.delete(key);
    else this.map.set(key, value);
  }

  putAll(entries: Iterable<readonly [Buffer, Buffer | null]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  delete(key: Buffer): Buffer | undefined {
    if (!this.opened) throw storeNotOpen(this.name);
    return this.map.delete(key);
  }

  range(from: Buffer | null, to: Buffer | null, reverse = false): Iterable<KeyValueBytesEntry> {
    if (!this.opened) throw storeNotOpen(this.name);
    return this.map.range(from, to, reverse);
  }

  prefixScan(prefix: Buffer): Iterable<KeyValueBytesEntry> {
    if (!this.opened) throw storeNotOpen(this.name);
    const upper = prefixUpperBound(prefix);
    if (upper === null) return this.map.range(prefix.length === 0 ? null : prefix, null);
    return this.scanBelow(prefix, upper);
  }

  private *scanBelow(from: Buffer, upper: Buffer): Generator<KeyValueBytesEntry> {
    for (const e of this.map.range(from, upper)) {
      if (e[0].equals(upper)) return;
      yield e;
    }
  }

  all(reverse = false): Iterable<KeyValueBytesEntry> {
    if (!this.opened) throw storeNotOpen(this.name);
    return this.map.range(null, null, reverse);
  }

  approximateNumEntries(): number {
    return this.map.size;
  }

  flush(): void {}

  /** In-memory state does not survive a restart: there is never a usable checkpoint. */
  restoredOffset(): number | null {
    return null;
  }

  wipe(): void {
    this.map.clear();
  }

  close(): void {
    this.opened = false;
    this.map.clear();
  }

  isOpen(): boolean {
    return this.opened;
  }
}
