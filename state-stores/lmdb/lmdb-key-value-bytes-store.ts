/**
 * The LMDB key-value store: one named database in the task's LMDB environment ({@link LmdbEnv}).
 *
 * Writes go to an in-memory overlay of pending writes (reads see them: read-your-writes) and reach
 * LMDB in ONE write transaction per {@link LmdbKeyValueBytesStore.checkpoint} call, together with the
 * checkpoint offset. When the pending writes outgrow `maxPendingBytes` (and no iterator is open) they
 * are written early in their own transaction, which also removes the stored checkpoint: the local
 * data is then ahead of what the checkpoint describes, so a crash before the next checkpoint leaves no
 * checkpoint and the store is wiped and restored from its changelog (local state never silently
 * differs from the changelog). A close without checkpoint discards pending writes.
 *
 * Restore writes changelog batches straight into LMDB, one transaction per batch.
 */
import type { RestoreRecord, StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry, KeyValueBytesStore } from '../key-value-bytes-store.ts';
import { LmdbEnv } from './lmdb-env.ts';
import { LmdbPendingDb } from './lmdb-pending-db.ts';
import { storeNotOpen } from '../store-errors.ts';

/** Options of the LMDB stores. */
export interface LmdbStoreOptions {
  /**
   * Memory of pending (uncheckpointed) writes that triggers an early write, per store (per segment set
   * for window and session stores). Default 8 MiB: outside the store cache's budget, so it is part of
   * the fixed overhead of each store.
   */
  readonly maxPendingBytes?: number;
}

/** @deprecated name kept for the first API; use {@link LmdbStoreOptions}. */
export type LmdbKeyValueBytesStoreOptions = LmdbStoreOptions;

/** The default bound of pending writes before an early write. */
export const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;

export class LmdbKeyValueBytesStore implements KeyValueBytesStore {
  readonly persistent = true;
  private env: LmdbEnv | null = null;
  private db: LmdbPendingDb | null = null;
  private restored: number | null = null;
  private readonly maxPendingBytes: number;
  /** Set by an early write: the stored checkpoint was removed and must be written by the next checkpoint. */
  private checkpointStale = false;

  /** @param name the store name (also the LMDB database name) */
  constructor(
    readonly name: string,
    options: LmdbStoreOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  }

  init(context: StateStoreContext, root: StateStore): void {
    const env = LmdbEnv.acquire(context.stateDir);
    this.env = env;
    this.db = new LmdbPendingDb(env, this.name);
    this.restored = env.readCheckpoint(this.name);
    context.register(root, (records) => this.restoreBatch(records));
  }

  /** Writes a batch of changelog records straight into LMDB in one transaction. */
  restoreBatch(records: readonly RestoreRecord[]): void {
    const db = this.open();
    this.env!.transaction(() => {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        db.writeDirect(r.key, r.value);
      }
    });
  }

  get(key: Buffer): Buffer | undefined {
    return this.open().get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    const db = this.open();
    db.put(key, value);
    if (db.pendingBytes > this.maxPendingBytes && db.openIterators === 0) this.spill();
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
    return this.open().range(from, to, reverse);
  }

  prefixScan(prefix: Buffer): Iterable<KeyValueBytesEntry> {
    return this.open().prefixScan(prefix);
  }

  all(reverse = false): Iterable<KeyValueBytesEntry> {
    return this.open().range(null, null, reverse);
  }

  approximateNumEntries(): number {
    return this.open().approximateCount();
  }

  /** Pending writes stay in memory until {@link checkpoint}; nothing to do here. */
  flush(): void {
    this.open();
  }

  /**
   * Writes the pending writes and the checkpoint offset in one LMDB transaction. An offset of -1 (no
   * changelog record written) keeps a stored offset, or stores -1 when there is none.
   */
  checkpoint(changelogOffset: number): void {
    const db = this.open();
    const env = this.env!;
    env.transaction(() => {
      db.writePending();
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
    env.transaction(() => {
      db.clear();
      env.removeCheckpoint(this.name);
    });
    this.restored = null;
  }

  close(): void {
    if (this.env === null) return;
    this.db!.discardPending();
    this.env.release();
    this.env = null;
    this.db = null;
  }

  isOpen(): boolean {
    return this.env !== null;
  }

  private open(): LmdbPendingDb {
    if (this.db === null) throw storeNotOpen(this.name);
    return this.db;
  }

  /** Writes pending writes early; the stored checkpoint stops describing the data and is removed. */
  private spill(): void {
    const env = this.env!;
    const db = this.db!;
    env.transaction(() => {
      db.writePending();
      env.removeCheckpoint(this.name);
    });
    this.checkpointStale = true;
  }
}
