/**
 * Time segments of window and session stores (Kafka Streams' `Segments`): the data of a store is split
 * into segments of `segmentIntervalMs` by a time taken from each key (window start, session end), so
 * expired data goes away a whole segment at a time. {@link Segments} is the storage side: in-memory
 * maps or LMDB databases.
 */
import type { StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';

/** One segment: a sorted bytes map of store keys. */
export interface Segment {
  readonly id: number;
  get(key: Buffer): Buffer | undefined;
  /** Writes `value` (null deletes) under `key`; `time`: the write's time in the store's segmenting (absent: unknown). */
  put(key: Buffer, value: Buffer | null, time?: number): void;
  /** Entries with `from <= key <= to` (null bounds open), in key order (descending when `reverse`). */
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): Iterable<KeyValueBytesEntry>;
  /**
   * Optional eager `range(from, to, false)` for short ranges: appends at most `limit` entries to `out`;
   * false when there are more (`out` is then incomplete). `timeFrom`: the caller wants only entries put
   * at that time or later (the segment may skip storage holding only older ones; the caller filters).
   */
  rangeInto?(from: Buffer, to: Buffer, out: KeyValueBytesEntry[], limit: number, timeFrom: number): boolean;
  approximateCount(): number;
}

/** What the segments of a store had on disk when opened. */
export interface SegmentsState {
  /** The largest time the store had seen (-1 when none). */
  readonly streamTime: number;
  /** The ids of its live segments. */
  readonly ids: readonly number[];
}

/** The storage of a segmented store. */
export interface Segments {
  readonly persistent: boolean;
  /** Opens the storage; returns what was stored before. */
  open(context: StateStoreContext): SegmentsState;
  /** Opens or creates segment `id`. */
  create(id: number): Segment;
  /** Drops a segment (its data goes away; persistent storage drops it at the next transaction). */
  drop(segment: Segment): void;
  /** Persists pending writes, dropped segments, the live ids, the stream time and the checkpoint in one transaction. */
  checkpoint(changelogOffset: number, state: SegmentsState): void;
  /** Runs restore writes (to segments, through `writeDirect`) in one transaction. */
  restoreTransaction(fn: () => void, state: SegmentsState): void;
  /** Writes `key` straight into a segment's storage (inside {@link restoreTransaction}). */
  writeDirect(segment: Segment, key: Buffer, value: Buffer | null): void;
  /** Whether pending writes should be written early (see the LMDB key-value store). */
  shouldSpill(): boolean;
  /** Writes pending writes early and removes the checkpoint. */
  spill(state: SegmentsState): void;
  restoredOffset(): number | null;
  /** Drops every segment and the checkpoint. */
  wipe(segments: readonly Segment[]): void;
  close(): void;
}
