/**
 * The inner window store over segments ({@link SegmentedBytesStore} with the window key schema,
 * segmented by window start). {@link LmdbWindowBytesStore} and {@link InMemoryWindowBytesStore} only
 * choose the segment storage.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';
import type { WindowBytesEntry, WindowBytesStore } from '../window-bytes-store.ts';
import {
  toWindowStoreKey,
  windowStoreKeyIs,
  windowStoreKeyKey,
  windowStoreKeyLower,
  windowStoreKeyStart,
  windowStoreKeyUpper,
  WINDOW_KEY_SUFFIX,
} from '../window-key-schema.ts';
import { storeNotOpen } from '../store-errors.ts';
import { defaultSegmentInterval, SegmentedBytesStore } from './segmented-bytes-store.ts';
import type { Segments } from './segments.ts';

/** The most windows a forward {@link SegmentedWindowBytesStore.fetchRange} reads at once (more: lazily). */
const EAGER_FETCH_LIMIT = 64;

/** Options of the inner window stores. */
export interface WindowBytesStoreOptions {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Keep every put of the same key and window (stream-stream joins). Default false. */
  readonly retainDuplicates?: boolean;
  /** Default `max(retention / 2, 60 s)`. */
  readonly segmentIntervalMs?: number;
}

const MAX_TIME = Number.MAX_SAFE_INTEGER;

export abstract class SegmentedWindowBytesStore implements WindowBytesStore {
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
  readonly segmentIntervalMs: number;
  protected readonly segmented: SegmentedBytesStore;
  private opened = false;
  private seq = 0;

  constructor(
    readonly name: string,
    segments: Segments,
    options: WindowBytesStoreOptions,
  ) {
    this.windowSizeMs = options.windowSizeMs;
    this.retentionMs = options.retentionMs;
    this.retainDuplicates = options.retainDuplicates ?? false;
    this.segmentIntervalMs = options.segmentIntervalMs ?? defaultSegmentInterval(options.retentionMs);
    this.segmented = new SegmentedBytesStore(name, segments, this.retentionMs, this.segmentIntervalMs, windowStoreKeyStart);
  }

  get persistent(): boolean {
    return this.segmented.persistent;
  }

  init(context: StateStoreContext, root: StateStore): void {
    this.segmented.open(context);
    this.opened = true;
    context.register(root, (records) => this.segmented.restoreBatch(records));
  }

  /** The largest window start put (-1 before any). */
  observedStreamTime(): number {
    return this.segmented.observedStreamTime();
  }

  /** Puts dropped because their window had expired. */
  get expiredRecordsDropped(): number {
    return this.segmented.expiredRecordsDropped;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.check();
    if (this.retainDuplicates) {
      if (value === null) return;
      this.seq = (this.seq + 1) & 0x7fffffff;
      this.segmented.put(toWindowStoreKey(key, windowStart, this.seq), value, windowStart);
    } else {
      this.segmented.put(toWindowStoreKey(key, windowStart, 0), value, windowStart);
    }
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    this.check();
    if (!this.retainDuplicates) return this.segmented.get(toWindowStoreKey(key, windowStart, 0), windowStart);
    for (const e of this.fetchRange(key, windowStart, windowStart)) return e.value;
    return undefined;
  }

  /**
   * Windows of `key` starting in `[timeFrom, timeTo]`. Forward fetches of up to {@link EAGER_FETCH_LIMIT}
   * windows (a stream-stream join's look at the other side) are read at once into an array, from the
   * segments' storage without a generator per layer; as with RocksDB's snapshot iterators, writes made
   * while the caller walks the result are not seen. Longer or backward fetches iterate lazily.
   */
  fetchRange(key: Buffer, timeFrom: number, timeTo: number, backward = false): Iterable<WindowBytesEntry> {
    this.check();
    const from = windowStoreKeyLower(key, Math.max(0, timeFrom));
    const to = windowStoreKeyUpper(key, timeTo);
    if (backward) return this.fetchRangeLazy(key, from, to, timeFrom, timeTo, true);
    const raw: KeyValueBytesEntry[] = [];
    if (!this.segmented.fetchInto(from, to, timeFrom, timeTo, raw, EAGER_FETCH_LIMIT)) return this.fetchRangeLazy(key, from, to, timeFrom, timeTo, false);
    const out: WindowBytesEntry[] = [];
    const minLive = this.segmented.minLiveTime();
    for (let i = 0; i < raw.length; i++) {
      const [storeKey, value] = raw[i]!;
      if (!windowStoreKeyIs(storeKey, key)) continue;
      const start = windowStoreKeyStart(storeKey);
      if (start < timeFrom || start > timeTo || start < minLive) continue;
      out.push({ storeKey, key, windowStart: start, value }); // the store key holds these key bytes
    }
    return out;
  }

  private *fetchRangeLazy(key: Buffer, from: Buffer, to: Buffer, timeFrom: number, timeTo: number, backward: boolean): Generator<WindowBytesEntry> {
    for (const [storeKey, value] of this.segmented.fetch(from, to, timeFrom, timeTo, backward)) {
      if (!windowStoreKeyIs(storeKey, key)) continue;
      const start = windowStoreKeyStart(storeKey);
      if (start < timeFrom || start > timeTo || start < this.segmented.minLiveTime()) continue;
      yield { storeKey, key, windowStart: start, value }; // the store key holds these key bytes
    }
  }

  *fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward = false): Generator<WindowBytesEntry> {
    this.check();
    const from = keyFrom === null ? null : windowStoreKeyLower(keyFrom, Math.max(0, timeFrom));
    const to = keyTo === null ? null : windowStoreKeyUpper(keyTo, timeTo);
    for (const [storeKey, value] of this.segmented.fetch(from, to, timeFrom, timeTo, backward)) {
      if (storeKey.length < WINDOW_KEY_SUFFIX) continue;
      const start = windowStoreKeyStart(storeKey);
      if (start < timeFrom || start > timeTo || start < this.segmented.minLiveTime()) continue;
      const k = windowStoreKeyKey(storeKey);
      if (keyFrom !== null && Buffer.compare(k, keyFrom) < 0) continue;
      if (keyTo !== null && Buffer.compare(k, keyTo) > 0) continue;
      yield { storeKey, key: k, windowStart: start, value };
    }
  }

  fetchAll(timeFrom: number, timeTo: number, backward = false): Iterable<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, timeFrom, timeTo, backward);
  }

  all(backward = false): Iterable<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, 0, MAX_TIME, backward);
  }

  /** Entries in live segments: an estimate. */
  approximateNumEntries(): number {
    return this.segmented.approximateCount();
  }

  flush(): void {
    this.check();
  }

  checkpoint(changelogOffset: number): void {
    this.check();
    this.segmented.checkpoint(changelogOffset);
  }

  restoredOffset(): number | null {
    return this.segmented.restoredOffset();
  }

  wipe(): void {
    this.check();
    this.segmented.wipe();
  }

  close(): void {
    if (!this.opened) return;
    this.opened = false;
    this.segmented.close();
  }

  isOpen(): boolean {
    return this.opened;
  }

  private check(): void {
    if (!this.opened) throw storeNotOpen(this.name);
  }
}
