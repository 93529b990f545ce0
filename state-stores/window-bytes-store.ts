/**
 * The bytes-level window store contract: values per (record key, window start), kept for the store's
 * retention. Implemented by the segmented inner stores and the layers.
 */
import type { StateStore } from '../core/processor/state-store.ts';

/** One window entry: the store key (schema bytes), the record key (a view of it), window start, value. */
export interface WindowBytesEntry {
  readonly storeKey: Buffer;
  readonly key: Buffer;
  readonly windowStart: number;
  readonly value: Buffer;
}

/** A window store over bytes. */
export interface WindowBytesStore extends StateStore {
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
  /**
   * Writes the value of `key` in the window starting at `windowStart`; null deletes (ignored when
   * retaining duplicates). Writes older than `stream time - retention` are dropped.
   */
  put(key: Buffer, value: Buffer | null, windowStart: number, timestamp?: number): void;
  /** The value of `key` in the window starting at `windowStart`, or undefined. */
  fetch(key: Buffer, windowStart: number): Buffer | undefined;
  /** Windows of `key` whose start is in `[timeFrom, timeTo]`, by start (descending when `backward`). */
  fetchRange(key: Buffer, timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowBytesEntry>;
  /** Windows of the keys in `[keyFrom, keyTo]` (null: open) whose start is in `[timeFrom, timeTo]`. */
  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowBytesEntry>;
  /** Windows of every key whose start is in `[timeFrom, timeTo]`: segment by segment, key order within. */
  fetchAll(timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowBytesEntry>;
  /** Every live window. */
  all(backward?: boolean): Iterable<WindowBytesEntry>;
  /** The segment interval (entries come segment by segment). */
  readonly segmentIntervalMs: number;
}
