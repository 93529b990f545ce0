/**
 * The segmented core of window and session stores (Kafka Streams' `AbstractSegmentedBytesStore`):
 * store keys are put into the segment of their time (window start, session end), the largest time
 * seen is the store's stream time, and data older than `stream time - retention` is expired: puts of
 * expired data are dropped, reads never return it, and segments wholly older are dropped.
 */
import type { RestoreRecord, StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';
import type { Segment, Segments, SegmentsState } from './segments.ts';

/**
 * The default segment interval: Kafka Streams' `max(retention / 2, 60 s)`.
 * @param retentionMs the store retention
 */
export function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

export class SegmentedBytesStore {
  private streamTime = -1;
  /** Live segments by id, and their ids in ascending order. */
  private readonly byId = new Map<number, Segment>();
  private ids: number[] = [];
  /** Puts dropped because their time had expired. */
  expiredRecordsDropped = 0;

  constructor(
    readonly name: string,
    private readonly segments: Segments,
    readonly retentionMs: number,
    readonly segmentIntervalMs: number,
    private readonly timeOf: (storeKey: Buffer) => number,
  ) {}

  get persistent(): boolean {
    return this.segments.persistent;
  }

  /** The largest time put so far (-1 before any). */
  observedStreamTime(): number {
    return this.streamTime;
  }

  /** The oldest time not expired. */
  minLiveTime(): number {
    return this.streamTime - this.retentionMs + 1;
  }

  segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs);
  }

  open(context: StateStoreContext): void {
    const state = this.segments.open(context);
    this.streamTime = state.streamTime;
    for (const id of state.ids) this.byId.set(id, this.segments.create(id));
    this.ids = [...state.ids].sort((a, b) => a - b);
  }

  private state(): SegmentsState {
    return { streamTime: this.streamTime, ids: this.ids };
  }

  /** Writes `value` (null deletes) under `storeKey` at `time`; returns false when the time had expired. */
  put(storeKey: Buffer, value: Buffer | null, time: number): boolean {
    const segment = this.segmentForWrite(time);
    if (segment === null) return false;
    segment.put(storeKey, value, time);
    if (this.segments.shouldSpill()) this.segments.spill(this.state());
    return true;
  }

  /** The value of `storeKey` at `time`, unless expired. */
  get(storeKey: Buffer, time: number): Buffer | undefined {
    if (time < this.minLiveTime()) return undefined;
    return this.byId.get(this.segmentId(time))?.get(storeKey);
  }

  /**
   * Entries of the segments covering `[timeFrom, timeTo]` (clamped to live data) with store keys in
   * `[from, to]`, segment by segment (ascending, or descending when `reverse`), in key order within a
   * segment. Callers filter by key and time.
   */
  *fetch(from: Buffer | null, to: Buffer | null, timeFrom: number, timeTo: number, reverse: boolean): Generator<KeyValueBytesEntry> {
    const lo = Math.max(timeFrom, this.minLiveTime());
    if (lo > timeTo) return;
    const first = this.segmentId(lo);
    const last = this.segmentId(timeTo);
    const chosen: Segment[] = [];
    for (const id of this.ids) if (id >= first && id <= last) chosen.push(this.byId.get(id)!);
    if (reverse) chosen.reverse();
    for (const s of chosen) yield* s.range(from, to, reverse);
  }

  /**
   * The eager form of {@link SegmentedBytesStore.fetch} (ascending, both bounds non-empty) for short
   * ranges: appends at most `limit` entries to `out`.
   * @returns false when the segments cannot read eagerly or hold more than `limit` entries in the range
   *   (`out` is then incomplete: use `fetch`)
   */
  fetchInto(from: Buffer, to: Buffer, timeFrom: number, timeTo: number, out: KeyValueBytesEntry[], limit: number): boolean {
    const lo = Math.max(timeFrom, this.minLiveTime());
    if (lo > timeTo) return true;
    const first = this.segmentId(lo);
    const last = this.segmentId(timeTo);
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < first || id > last) continue;
      const s = this.byId.get(id)!;
      if (s.rangeInto === undefined || !s.rangeInto(from, to, out, limit - out.length, timeFrom)) return false;
    }
    return true;
  }

  /** Applies changelog records straight to the segments, in one transaction. */
  restoreBatch(records: readonly RestoreRecord[]): void {
    this.segments.restoreTransaction(() => {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const segment = this.segmentForWrite(this.timeOf(r.key));
        if (segment !== null) this.segments.writeDirect(segment, r.key, r.value);
      }
    }, this.state());
  }

  approximateCount(): number {
    let n = 0;
    for (const s of this.byId.values()) n += s.approximateCount();
    return n;
  }

  checkpoint(changelogOffset: number): void {
    this.segments.checkpoint(changelogOffset, this.state());
  }

  restoredOffset(): number | null {
    return this.segments.restoredOffset();
  }

  wipe(): void {
    this.segments.wipe([...this.byId.values()]);
    this.byId.clear();
    this.ids = [];
    this.streamTime = -1;
  }

  close(): void {
    this.segments.close();
    this.byId.clear();
    this.ids = [];
  }

  /** The segment for a write at `time`, advancing stream time and dropping expired segments; null when expired. */
  private segmentForWrite(time: number): Segment | null {
    if (time > this.streamTime) {
      this.streamTime = time;
      this.dropExpired();
    } else if (time < this.minLiveTime()) {
      this.expiredRecordsDropped++;
      return null;
    }
    const id = this.segmentId(time);
    let s = this.byId.get(id);
    if (s === undefined) {
      s = this.segments.create(id);
      this.byId.set(id, s);
      this.ids.push(id);
      if (this.ids.length > 1 && this.ids[this.ids.length - 2]! > id) this.ids.sort((a, b) => a - b);
    }
    return s;
  }

  private dropExpired(): void {
    const minLive = this.segmentId(Math.max(0, this.minLiveTime()));
    if (this.ids.length === 0 || this.ids[0]! >= minLive) return;
    const keep: number[] = [];
    for (const id of this.ids) {
      if (id < minLive) {
        this.segments.drop(this.byId.get(id)!);
        this.byId.delete(id);
      } else keep.push(id);
    }
    this.ids = keep;
  }
}
