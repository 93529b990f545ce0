/**
 * The caching layer of window stores (Kafka Streams' `CachingWindowStore`): writes stay in the store's
 * named cache, keyed by the window store key `[key][windowStart][0]`, until a flush (commit or
 * eviction) writes them down and calls the flush listener with the store key, new and old value.
 * Reads merge the cache with the store below in the store's order: segment by segment, key order
 * within a segment. Not used with `retainDuplicates` (as in Kafka Streams).
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { WindowBytesEntry } from '../window-bytes-store.ts';
import { mergeOverlayBy } from '../merge-sorted.ts';
import type { CacheEntry, NamedCache } from '../store-cache.ts';
import { writeUint64BE } from '../bytes.ts';
import {
  WINDOW_KEY_SUFFIX,
  toWindowStoreKey,
  windowStoreKeyIs,
  windowStoreKeyKey,
  windowStoreKeyLower,
  windowStoreKeyStart,
  windowStoreKeyUpper,
} from '../window-key-schema.ts';
import { cacheNamespace, cacheOf, type BytesFlushListener } from './caching-key-value-store.ts';
import { WrappedWindowBytesStore } from './wrapped-window-bytes-store.ts';
import { storeNotOpen } from '../store-errors.ts';

const MAX_TIME = Number.MAX_SAFE_INTEGER;
/** Record keys up to this length are looked up in a reused buffer. */
const MAX_PROBE_KEY = 64;

export class CachingWindowStore extends WrappedWindowBytesStore {
  private cache: NamedCache | null = null;
  private listener: BytesFlushListener | null = null;
  private sendOldValues = false;
  /** Window starts below this are expired (mirrors the inner store's stream time). */
  private streamTime = -1;
  /** The last store key made, and its key buffer and window start. */
  private lastKey: Buffer | null = null;
  private lastStart = -1;
  private lastStoreKey: Buffer | null = null;
  /** Lookup buffers by record key length ({@link probeKey}). */
  private readonly probes: (Buffer | undefined)[] = [];
  private readonly flushEntries = (entries: readonly CacheEntry[]): void => this.writeFlushed(entries);
  private readonly compare = (a: Buffer, b: Buffer): number => {
    const d = Math.floor(windowStoreKeyStart(a) / this.segmentIntervalMs) - Math.floor(windowStoreKeyStart(b) / this.segmentIntervalMs);
    return d !== 0 ? d : Buffer.compare(a, b);
  };

  override init(context: StateStoreContext, root: StateStore): void {
    super.init(context, root);
    this.cache = cacheOf(context).namedCache(cacheNamespace(context, this.name), this.flushEntries);
  }

  setFlushListener(listener: BytesFlushListener | null, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  private minLive(): number {
    return this.streamTime - this.retentionMs + 1;
  }

  override put(key: Buffer, value: Buffer | null, windowStart: number, timestamp?: number): void {
    const cache = this.open();
    if (windowStart > this.streamTime) this.streamTime = windowStart;
    else if (windowStart < this.minLive()) return;
    cache.put(this.storeKey(key, windowStart), value, timestamp ?? windowStart, true);
  }

  /**
   * The cached value, else the store's (then cached clean, an absent window as null, so the put that
   * usually follows knows the old value and the flush need not read the store).
   */
  override fetch(key: Buffer, windowStart: number): Buffer | undefined {
    const cache = this.open();
    if (windowStart < this.minLive()) return undefined;
    let storeKey: Buffer;
    if (key === this.lastKey && windowStart === this.lastStart) {
      storeKey = this.lastStoreKey!;
      const e = cache.get(storeKey);
      if (e !== undefined) return e.value === null ? undefined : e.value;
    } else {
      // Looked up in a reused buffer: a hit (most fetches) allocates no key; the put that follows uses the entry's.
      const probe = this.probeKey(key, windowStart);
      const e = cache.get(probe);
      if (e !== undefined) {
        this.remember(key, windowStart, e.key);
        return e.value === null ? undefined : e.value;
      }
      storeKey = key.length > MAX_PROBE_KEY ? probe : Buffer.from(probe);
      this.remember(key, windowStart, storeKey);
    }
    const value = this.inner.fetch(key, windowStart);
    cache.putMissed(storeKey, value === undefined ? null : value, windowStart);
    return value;
  }

  /** `key`'s store key at `windowStart` written into a buffer reused per key length (a fresh one for keys over 64 bytes). */
  private probeKey(key: Buffer, windowStart: number): Buffer {
    if (key.length > MAX_PROBE_KEY) return toWindowStoreKey(key, windowStart, 0);
    let probe = this.probes[key.length];
    if (probe === undefined) this.probes[key.length] = probe = Buffer.alloc(key.length + WINDOW_KEY_SUFFIX);
    key.copy(probe, 0);
    writeUint64BE(probe, windowStart, key.length); // the sequence number stays 0
    return probe;
  }

  private remember(key: Buffer, windowStart: number, storeKey: Buffer): void {
    this.lastKey = key;
    this.lastStart = windowStart;
    this.lastStoreKey = storeKey;
  }

  /** The store key of `key` at `windowStart`; the same bytes again for a put right after a fetch. */
  private storeKey(key: Buffer, windowStart: number): Buffer {
    if (key === this.lastKey && windowStart === this.lastStart) return this.lastStoreKey!;
    const storeKey = toWindowStoreKey(key, windowStart, 0);
    this.remember(key, windowStart, storeKey);
    return storeKey;
  }

  override fetchRange(key: Buffer, timeFrom: number, timeTo: number, backward = false): Iterable<WindowBytesEntry> {
    const cache = this.open();
    const overlay = this.cachedRange(cache, windowStoreKeyLower(key, Math.max(0, timeFrom)), windowStoreKeyUpper(key, timeTo), timeFrom, timeTo, backward, key);
    return mergeOverlayBy(overlay, this.inner.fetchRange(key, timeFrom, timeTo, backward), backward, storeKeyOf, entryOf, this.compare);
  }

  override fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward = false): Iterable<WindowBytesEntry> {
    const cache = this.open();
    const overlay = this.sortedBySegment(cache, keyFrom, keyTo, timeFrom, timeTo, backward);
    return mergeOverlayBy(overlay, this.inner.fetchKeyRange(keyFrom, keyTo, timeFrom, timeTo, backward), backward, storeKeyOf, entryOf, this.compare);
  }

  override fetchAll(timeFrom: number, timeTo: number, backward = false): Iterable<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, timeFrom, timeTo, backward);
  }

  override all(backward = false): Iterable<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, 0, MAX_TIME, backward);
  }

  override flush(): void {
    this.open().flush();
    this.inner.flush();
  }

  override wipe(): void {
    this.cache?.clear();
    this.streamTime = -1;
    this.inner.wipe?.();
  }

  override close(): void {
    this.cache?.close();
    this.cache = null;
    this.inner.close();
  }

  private *cachedRange(
    cache: NamedCache,
    from: Buffer,
    to: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
    key: Buffer,
  ): Generator<[Buffer, Buffer | null]> {
    const minLive = this.minLive();
    for (const e of cache.range(from, to, backward)) {
      if (!windowStoreKeyIs(e[0], key)) continue;
      const start = windowStoreKeyStart(e[0]);
      if (start >= timeFrom && start <= timeTo && start >= minLive) yield e;
    }
  }

  /** Cached entries in the key and time range, ordered like the store below (segment, then key). */
  private sortedBySegment(
    cache: NamedCache,
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): [Buffer, Buffer | null][] {
    const minLive = this.minLive();
    const out: [Buffer, Buffer | null][] = [];
    for (const e of cache.range(null, null)) {
      const start = windowStoreKeyStart(e[0]);
      if (start < timeFrom || start > timeTo || start < minLive) continue;
      const k = windowStoreKeyKey(e[0]);
      if (keyFrom !== null && Buffer.compare(k, keyFrom) < 0) continue;
      if (keyTo !== null && Buffer.compare(k, keyTo) > 0) continue;
      out.push(e);
    }
    out.sort((a, b) => this.compare(a[0], b[0]));
    if (backward) out.reverse();
    return out;
  }

  private writeFlushed(entries: readonly CacheEntry[]): void {
    const inner = this.inner;
    const listener = this.listener;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const key = windowStoreKeyKey(e.key);
      const start = windowStoreKeyStart(e.key);
      if (listener === null) {
        inner.put(key, e.value, start, e.timestamp);
        continue;
      }
      const old = e.value === null || this.sendOldValues ? (e.stored !== undefined ? e.stored : (inner.fetch(key, start) ?? null)) : null;
      if (e.value === null && old === null) continue;
      inner.put(key, e.value, start, e.timestamp);
      listener(e.key, e.value, this.sendOldValues ? old : null, e.timestamp);
    }
  }

  private open(): NamedCache {
    if (this.cache === null) throw storeNotOpen(this.name);
    return this.cache;
  }
}

function storeKeyOf(e: WindowBytesEntry): Buffer {
  return e.storeKey;
}

function entryOf(storeKey: Buffer, value: Buffer): WindowBytesEntry {
  return { storeKey, key: windowStoreKeyKey(storeKey), windowStart: windowStoreKeyStart(storeKey), value };
}
