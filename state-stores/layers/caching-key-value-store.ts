/**
 * The caching layer of key-value stores: a write-back cache in front of the store below (Kafka
 * Streams' `CachingKeyValueStore`). Writes stay in the store's {@link NamedCache} of the app-wide
 * {@link StoreCache}, deduplicated per key, until the cache is flushed: on commit (`flush()`) and when
 * eviction needs room. A flush writes each dirty entry to the store below (and so to the changelog) and
 * calls the flush listener with the new and (when asked) the old value, so a KTable forwards only the
 * latest value of each key per commit interval. Reads see cached writes; ranges merge cache and store.
 *
 * `close()` does not flush: the runtime flushes on commit before a clean close, and a dirty close must
 * not write. `wipe()` drops the cache without flushing.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';
import { mergeOverlay } from '../merge-sorted.ts';
import { prefixUpperBound } from '../bytes.ts';
import { StoreCache, type CacheEntry, type NamedCache } from '../store-cache.ts';
import { WrappedKeyValueBytesStore } from './wrapped-key-value-bytes-store.ts';
import { storeNotOpen } from '../store-errors.ts';

/** The bytes flush listener: key, new value (null: deleted), old value (null when not asked or absent), timestamp. */
export type BytesFlushListener = (key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

/** A bytes store with a cache that reports flushed entries (structural check used by the metered layer). */
export interface CachedBytesStore {
  setFlushListener(listener: BytesFlushListener | null, sendOldValues: boolean): void;
}

/** The cache a caching store uses: the runtime's (`context.cache`) or a private one of the default size. */
export function cacheOf(context: StateStoreContext): StoreCache {
  const shared = (context as { cache?: unknown }).cache;
  return shared instanceof StoreCache ? shared : new StoreCache();
}

/** The cache namespace of a store of a task: `<taskId>-<store>`. */
export function cacheNamespace(context: StateStoreContext, storeName: string): string {
  return `${context.taskId.subtopology}_${context.taskId.partition}-${storeName}`;
}

export class CachingKeyValueStore extends WrappedKeyValueBytesStore implements CachedBytesStore {
  private cache: NamedCache | null = null;
  private context: StateStoreContext | null = null;
  private listener: BytesFlushListener | null = null;
  private sendOldValues = false;
  private readonly flushEntries = (entries: readonly CacheEntry[]): void => this.writeFlushed(entries);

  override init(context: StateStoreContext, root: StateStore): void {
    super.init(context, root);
    this.context = context;
    this.cache = cacheOf(context).namedCache(cacheNamespace(context, this.name), this.flushEntries);
  }

  setFlushListener(listener: BytesFlushListener | null, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  override get(key: Buffer): Buffer | undefined {
    const cache = this.open();
    const e = cache.get(key);
    if (e !== undefined) return e.value === null ? undefined : e.value;
    const value = this.inner.get(key);
    // Cached clean either way; an absent key as null, so the put that usually follows knows the old value.
    cache.putMissed(key, value === undefined ? null : value, -1);
    return value;
  }

  override put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    const cache = this.open();
    cache.put(key, value, timestamp ?? this.context!.currentSystemTimeMs(), true);
  }

  override delete(key: Buffer, timestamp?: number): Buffer | undefined {
    const old = this.get(key);
    this.put(key, null, timestamp);
    return old;
  }

  override range(from: Buffer | null, to: Buffer | null, reverse = false): Iterable<KeyValueBytesEntry> {
    const cache = this.open();
    return mergeOverlay(cache.range(from, to, reverse), this.inner.range(from, to, reverse), reverse);
  }

  override prefixScan(prefix: Buffer): Iterable<KeyValueBytesEntry> {
    const cache = this.open();
    return mergeOverlay(cachedWithPrefix(cache, prefix), this.inner.prefixScan(prefix), false);
  }

  override all(reverse = false): Iterable<KeyValueBytesEntry> {
    const cache = this.open();
    return mergeOverlay(cache.range(null, null, reverse), this.inner.all(reverse), reverse);
  }

  /** Writes every dirty entry down (and to the listener), then flushes the store below. */
  override flush(): void {
    this.open().flush();
    this.inner.flush();
  }

  override wipe(): void {
    this.cache?.clear();
    this.inner.wipe?.();
  }

  override close(): void {
    this.cache?.close();
    this.cache = null;
    this.inner.close();
  }

  /**
   * Kafka's `putAndMaybeForward`: skips deletions of keys that exist nowhere. The old value is the
   * entry's known stored value, or read from the store below when unknown.
   */
  private writeFlushed(entries: readonly CacheEntry[]): void {
    const inner = this.inner;
    const listener = this.listener;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (listener === null) {
        if (e.value === null) inner.delete(e.key, e.timestamp);
        else inner.put(e.key, e.value, e.timestamp);
        continue;
      }
      const old = e.value === null || this.sendOldValues ? (e.stored !== undefined ? e.stored : (inner.get(e.key) ?? null)) : null;
      if (e.value === null && old === null) continue;
      inner.put(e.key, e.value, e.timestamp);
      listener(e.key, e.value, this.sendOldValues ? old : null, e.timestamp);
    }
  }

  private open(): NamedCache {
    if (this.cache === null) throw storeNotOpen(this.name);
    return this.cache;
  }
}

function* cachedWithPrefix(cache: NamedCache, prefix: Buffer): Generator<[Buffer, Buffer | null]> {
  const upper = prefixUpperBound(prefix);
  for (const e of cache.range(prefix.length === 0 ? null : prefix, upper)) {
    if (upper !== null && e[0].equals(upper)) return;
    yield e;
  }
}
