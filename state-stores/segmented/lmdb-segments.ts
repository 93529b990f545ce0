/**
 * LMDB segments: one named database per segment (`<store>.<segmentId>`) in the task's environment,
 * each with pending writes in memory until the checkpoint. The store's metadata (stream time and live
 * segment ids) and its checkpoint are written in the same transaction as the data; expired segments
 * are dropped in that transaction too.
 */
import type { StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';
import { LmdbEnv } from '../lmdb/lmdb-env.ts';
import { LmdbPendingDb } from '../lmdb/lmdb-pending-db.ts';
import { DEFAULT_MAX_PENDING_BYTES, type LmdbStoreOptions } from '../lmdb/lmdb-key-value-bytes-store.ts';
import type { Segment, Segments, SegmentsState } from './segments.ts';

class LmdbSegment implements Segment {
  /** The largest time of the pending writes (-Infinity: none). */
  private pendingMaxTime = -Infinity;
  /**
   * At least the largest time of any entry in the LMDB database (-Infinity: empty; Infinity: unknown,
   * data from before this process or a restore): an eager read from a later time skips the database,
   * so a join's fetches near stream time read only the pending writes between checkpoints.
   */
  private dbMaxTime: number;

  constructor(
    readonly id: number,
    readonly db: LmdbPendingDb,
  ) {
    this.dbMaxTime = db.approximateCount() === 0 ? -Infinity : Infinity;
  }
  get(key: Buffer): Buffer | undefined {
    return this.db.get(key);
  }
  put(key: Buffer, value: Buffer | null, time = Infinity): void {
    this.db.put(key, value);
    if (time > this.pendingMaxTime) this.pendingMaxTime = time;
  }
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): Iterable<KeyValueBytesEntry> {
    return this.db.range(from, to, reverse);
  }
  rangeInto(from: Buffer, to: Buffer, out: KeyValueBytesEntry[], limit: number, timeFrom: number): boolean {
    return this.db.rangeInto(from, to, out, limit, timeFrom <= this.dbMaxTime);
  }
  /** Moves the pending writes into the database (inside the caller's write transaction). */
  writePending(): void {
    this.db.writePending();
    if (this.pendingMaxTime > this.dbMaxTime) this.dbMaxTime = this.pendingMaxTime;
    this.pendingMaxTime = -Infinity;
  }
  /** A write straight into the database (restore): its time is not known here. */
  writeDirect(key: Buffer, value: Buffer | null): void {
    this.db.writeDirect(key, value);
    this.dbMaxTime = Infinity;
  }
  approximateCount(): number {
    return this.db.approximateCount();
  }
}

function encodeState(state: SegmentsState): Buffer {
  return Buffer.from(JSON.stringify({ streamTime: state.streamTime, ids: state.ids }));
}

export class LmdbSegments implements Segments {
  readonly persistent = true;
  private env: LmdbEnv | null = null;
  private readonly live = new Map<number, LmdbSegment>();
  private dropped: LmdbSegment[] = [];
  private restored: number | null = null;
  private checkpointStale = false;
  private readonly maxPendingBytes: number;

  constructor(
    readonly storeName: string,
    options: LmdbStoreOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  }

  open(context: StateStoreContext): SegmentsState {
    const env = LmdbEnv.acquire(context.stateDir);
    this.env = env;
    this.restored = env.readCheckpoint(this.storeName);
    const raw = env.readMeta(this.storeName);
    if (raw === undefined) return { streamTime: -1, ids: [] };
    try {
      const parsed = JSON.parse(raw.toString()) as { streamTime: number; ids: number[] };
      return { streamTime: parsed.streamTime, ids: parsed.ids };
    } catch {
      this.restored = null;
      return { streamTime: -1, ids: [] };
    }
  }

  create(id: number): Segment {
    let s = this.live.get(id);
    if (s === undefined) {
      s = new LmdbSegment(id, new LmdbPendingDb(this.env!, `${this.storeName}.${id}`));
      this.live.set(id, s);
    }
    return s;
  }

  drop(segment: Segment): void {
    const s = segment as LmdbSegment;
    s.db.discardPending();
    this.live.delete(s.id);
    this.dropped.push(s);
  }

  checkpoint(changelogOffset: number, state: SegmentsState): void {
    const env = this.env!;
    env.transaction(() => {
      this.writeAll(state);
      if (changelogOffset >= 0 || this.checkpointStale || env.readCheckpoint(this.storeName) === null) {
        env.writeCheckpoint(this.storeName, changelogOffset);
      }
    });
    this.checkpointStale = false;
    this.restored = env.readCheckpoint(this.storeName);
  }

  restoreTransaction(fn: () => void, state: SegmentsState): void {
    this.env!.transaction(() => {
      fn();
      this.dropDropped();
      this.env!.writeMeta(this.storeName, encodeState(state));
    });
  }

  writeDirect(segment: Segment, key: Buffer, value: Buffer | null): void {
    (segment as LmdbSegment).writeDirect(key, value);
  }

  shouldSpill(): boolean {
    let bytes = 0;
    for (const s of this.live.values()) {
      if (s.db.openIterators > 0) return false;
      bytes += s.db.pendingBytes;
    }
    return bytes > this.maxPendingBytes;
  }

  spill(state: SegmentsState): void {
    const env = this.env!;
    env.transaction(() => {
      this.writeAll(state);
      env.removeCheckpoint(this.storeName);
    });
    this.checkpointStale = true;
  }

  restoredOffset(): number | null {
    return this.restored;
  }

  wipe(segments: readonly Segment[]): void {
    const env = this.env!;
    env.transaction(() => {
      for (const s of segments) (s as LmdbSegment).db.clear();
      this.dropDropped();
      env.writeMeta(this.storeName, null);
      env.removeCheckpoint(this.storeName);
    });
    this.restored = null;
  }

  close(): void {
    if (this.env === null) return;
    for (const s of this.live.values()) s.db.discardPending();
    this.live.clear();
    this.dropped = [];
    this.env.release();
    this.env = null;
  }

  private writeAll(state: SegmentsState): void {
    this.dropDropped();
    for (const s of this.live.values()) s.writePending();
    this.env!.writeMeta(this.storeName, encodeState(state));
  }

  private dropDropped(): void {
    for (const s of this.dropped) s.db.drop();
    this.dropped = [];
  }
}
