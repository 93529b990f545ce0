/**
 * The LMDB key-value store: one named database in the task's LMDB environment ({@link LmdbEnv}).
 *
 * Writes go to an in-memory sorted overlay of pending writes (reads see them: read-your-writes) and
 * reach LMDB in ONE write transaction per {@link LmdbKeyValueBytesStore.checkpoint} call, together with
 * the checkpoint offset. When the pending writes outgrow `maxPendingBytes` they are written early in
 * their own transaction, which also removes the stored checkpoint: the local data is then ahead of what
 * the checkpoint describes, so a crash before the next checkpoint leaves no checkpoint and the store is
 * wiped and restored from its changelog (local state never silently differs from the changelog).
 *
 * Restore writes changelog batches straight into LMDB, one transaction per batch.
 * LMDB does not allow zero-length keys; the empty key is kept in the reserved `__empty_key` database.
 */
import type { RestoreRecord, StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry, KeyValueBytesStore } from '../key-value-bytes-store.ts';
import { SortedBytesMap } from '../sorted-bytes-map.ts';
import { mergeOverlay } from '../merge-sorted.ts';
import { EMPTY_BYTES, prefixUpperBound } from '../bytes.ts';
import { LmdbEnv, type BytesDatabase } from './lmdb-env.ts';
import { storeNotOpen } from '../store-errors.ts';

/** Options of {@link LmdbKeyValueBytesStore}. */
export interface LmdbKeyValueBytesStoreOptions {
  /** Pending (uncheckpointed) bytes that trigger an early write. Default 32 MiB. */
  readonly maxPendingBytes?: number;
}

const DEFAULT_MAX_PENDING = 32 * 1024 * 1024;
const ENTRY_OVERHEAD = 48;

export class LmdbKeyValueBytesStore implements KeyValueBytesStore {
  readonly persistent = true;
  private env: LmdbEnv | null = null;
  private db: BytesDatabase | null = null;
  private readonly pending = new SortedBytesMap<Buffer | null>();
  private pendingBytes = 0;
  private openIterators = 0;
  private restored: number | null = null;
  private readonly maxPendingBytes: number;
  /** Raised by the restore of a full changelog: the stored checkpoint no longer describes the data. */
  private checkpointStale = false;

  /**
   * @param name the store name (also the LMDB database name)
   */
  constructor(
    readonly name: string,
    options: LmdbKeyValueBytesStoreOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING;
  }

  init(context: StateStoreContext, root: StateStore): void {
    const env = LmdbEnv.acquire(context.stateDir);
    this.env = env;
    this.db = env.openBytesDb(this.name);
    this.restored = env.readCheckpoint(this.name);
    context.register(root, (records) => this.restoreBatch(records));
  }

  /** Writes a batch of changelog records straight into LMDB in one transaction. */
  restoreBatch(records: readonly RestoreRecord[]): void {
    const db = this.open();
    const env = this.env!;
    const pending = this.pending;
    env.transaction(() => {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        if (pending.size > 0) pending.delete(r.key);
        if (r.key.length === 0) env.putEmptyKey(this.name, r.value);
        else if (r.value === null) db.removeSync(r.key);
        else db.putSync(r.key, r.value);
      }
    });
  }

  get(key: Buffer): Buffer | undefined {
    const db = this.open();
    if (this.pending.size > 0) {
      const p = this.pending.get(key);
      if (p !== undefined) return p === null ? undefined : p;
    }
    if (key.length === 0) return this.env!.getEmptyKey(this.name);
    return db.getBinary(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.open();
    const old = this.pending.get(key);
    if (old === undefined) this.pendingBytes += key.length + ENTRY_OVERHEAD;
    else if (old !== null) this.pendingBytes -= old.length;
    this.pending.set(key, value);
    if (value !== null) this.pendingBytes += value.length;
    if (this.pendingBytes > this.maxPendingBytes && this.openIterators === 0) this.spill();
  }

  putAll(entries: Iterable<readonly [Buffer, Buffer | null]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  delete(key: Buffer): Buffer | undefined {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  range(from: Buffer | null, to: Buffer | null, reverse = false): Iterable<KeyValueBytesEntry> {
    this.open();
    return this.iterate(from, to, reverse);
  }

  prefixScan(prefix: Buffer): Iterable<KeyValueBytesEntry> {
    this.open();
    if (prefix.length === 0) return this.iterate(null, null, false);
    return this.iterate(prefix, prefixUpperBound(prefix), false, true);
  }

  all(reverse = false): Iterable<KeyValueBytesEntry> {
    this.open();
    return this.iterate(null, null, reverse);
  }

  approximateNumEntries(): number {
    const db = this.open();
    return (db.getStats() as { entryCount: number }).entryCount + this.pending.size;
  }

  /** Pending writes stay in memory until {@link checkpoint}; nothing to do here. */
  flush(): void {
    this.open();
  }

  /** Writes the pending writes and the checkpoint offset in one LMDB transaction. */
  checkpoint(changelogOffset: number): void {
    this.open();
    const env = this.env!;
    env.transaction(() => {
      this.writePending();
      if (changelogOffset >= 0 || this.checkpointStale || env.readCheckpoint(this.name) === null) {
        env.writeCheckpoint(this.name, changelogOffset);
      }
    });
    this.checkpointStale = false;
    this.restored = env.readCheckpoint(this.name);
  }

  restoredOffset(): number | null {
    return this.restored;
  }

  wipe(): void {
    const db = this.open();
    const env = this.env!;
    this.pending.clear();
    this.pendingBytes = 0;
    env.transaction(() => {
      db.clearSync();
      env.putEmptyKey(this.name, null);
      env.removeCheckpoint(this.name);
    });
    this.restored = null;
  }

  close(): void {
    if (this.env === null) return;
    this.pending.clear();
    this.pendingBytes = 0;
    this.env.release();
    this.env = null;
    this.db = null;
  }

  isOpen(): boolean {
    return this.env !== null;
  }

  private open(): BytesDatabase {
    if (this.db === null) throw storeNotOpen(this.name);
    return this.db;
  }

  /** Writes every pending write into the current transaction and clears them. */
  private writePending(): void {
    if (this.pending.size === 0) return;
    const db = this.db!;
    const env = this.env!;
    for (const [key, value] of this.pending.range(null, null)) {
      if (key.length === 0) env.putEmptyKey(this.name, value);
      else if (value === null) db.removeSync(key);
      else db.putSync(key, value);
    }
    this.pending.clear();
    this.pendingBytes = 0;
  }

  /** Writes pending writes early; the stored checkpoint stops describing the data and is removed. */
  private spill(): void {
    const env = this.env!;
    env.transaction(() => {
      this.writePending();
      env.removeCheckpoint(this.name);
    });
    this.checkpointStale = true;
  }

  private *iterate(from: Buffer | null, to: Buffer | null, reverse: boolean, toExclusive = false): Generator<KeyValueBytesEntry> {
    this.openIterators++;
    try {
      const base = this.dbRange(from, to, reverse, toExclusive);
      if (this.pending.size === 0) {
        yield* base;
        return;
      }
      let overlay: Iterable<readonly [Buffer, Buffer | null]> = this.pending.range(from, to, reverse);
      if (toExclusive && to !== null) overlay = withoutKey(overlay, to);
      yield* mergeOverlay(overlay, base, reverse);
    } finally {
      this.openIterators--;
    }
  }

  private *dbRange(from: Buffer | null, to: Buffer | null, reverse: boolean, toExclusive: boolean): Generator<KeyValueBytesEntry> {
    const db = this.db!;
    const includesEmpty = from === null || from.length === 0;
    if (to !== null && to.length === 0) {
      // Only the empty key can be <= the empty key.
      if (!toExclusive) {
        const v = this.env!.getEmptyKey(this.name);
        if (v !== undefined) yield [EMPTY_BYTES, v];
      }
      return;
    }
    const start = from === null || from.length === 0 ? undefined : from;
    const end = to ?? undefined;
    if (!reverse && includesEmpty) {
      const v = this.env!.getEmptyKey(this.name);
      if (v !== undefined) yield [Buffer.alloc(0), v];
    }
    const options = reverse
      ? { start: end, end: start, reverse: true, inclusiveEnd: true, exclusiveStart: toExclusive && end !== undefined }
      : { start, end, inclusiveEnd: !toExclusive };
    for (const { key, value } of db.getRange(options)) yield [key, value];
    if (reverse && includesEmpty) {
      const v = this.env!.getEmptyKey(this.name);
      if (v !== undefined) yield [Buffer.alloc(0), v];
    }
  }
}

function* withoutKey(entries: Iterable<readonly [Buffer, Buffer | null]>, exclude: Buffer): Generator<readonly [Buffer, Buffer | null]> {
  for (const e of entries) if (!e[0].equals(exclude)) yield e;
}
