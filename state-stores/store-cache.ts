/**
 * The app-wide write-back cache of the caching stores (Kafka Streams' ThreadCache): one per application
 * instance, bounded in bytes across every caching store of every task. Each store owns a
 * {@link NamedCache} (its namespace): entries sorted by key (for merged range scans), an LRU list, and a
 * list of dirty entries in the order of their last update.
 *
 * Eviction follows Kafka: after a put makes the whole cache exceed its bound, the cache that was written
 * evicts its least recently used entries until the bound holds (or it is empty). Evicting a dirty entry
 * first flushes the dirty entries of that named cache in update order up to and including it (Kafka
 * flushes all of them; a prefix of the update order keeps what reaches the store and downstream in
 * update order, and does not write the hot entries again and again while old ones are evicted). A
 * bound of 0 therefore writes every update through at once.
 *
 * Allocation: a put of a key already cached updates its entry in place (no allocation besides the value
 * bytes the caller made); lookups hash the key bytes (no string per operation); a put right after a get
 * of the same key buffer reuses the entry found; evicted entries are reused for new keys (so an entry
 * returned by `get` is valid only until the next write to its cache).
 *
 * Old values: each entry remembers the value the store below holds when that is known (a clean entry
 * holds it; a clean entry turning dirty keeps it until the flush), so a caching layer that reports old
 * values on flush (KTables) reads the store only for keys it never saw clean.
 */
import { SortedBytesMap } from './sorted-bytes-map.ts';

/**
 * Bytes counted per entry besides the key and value bytes: what an entry really holds in the V8 heap
 * (Node 20, no pointer compression; measured with a heap snapshot): the entry object (~128), its map
 * slot (~64) and index (~20), the key and value Buffer objects (~96 each), the boxed timestamp (16).
 * Counting it makes the configured bound a bound on the memory the cache holds.
 */
export const CACHE_ENTRY_OVERHEAD = 420;

/** The default bound: Kafka Streams' `statestore.cache.max.bytes` default, 10 MiB. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;

/** One cached key. */
export class CacheEntry {
  key: Buffer;
  /** null: a deletion not yet flushed (dirty), or a key known to be absent from the store (clean). */
  value: Buffer | null;
  timestamp: number;
  dirty = false;
  /** Whether the entry is in its named cache (false once evicted, deleted or cleared). */
  live = true;
  /**
   * The value the store below holds for the key (null: none), when known: the value of a clean entry,
   * kept when the entry turns dirty, so a flush that reports old values needs no read of the store.
   * undefined: unknown (the store must be read).
   */
  stored: Buffer | null | undefined;
  size: number;
  prev: CacheEntry | null = null;
  next: CacheEntry | null = null;
  dirtyPrev: CacheEntry | null = null;
  dirtyNext: CacheEntry | null = null;

  constructor(key: Buffer, value: Buffer | null, timestamp: number, stored: Buffer | null | undefined) {
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.stored = stored;
    this.size = entrySize(key, value, stored);
  }
}

/**
 * Entries kept for reuse at most, per {@link NamedCache}: a cache whose keys miss (more keys than fit)
 * drops an entry and makes one per record; reusing them spares the young generation an object that
 * would live long enough to be promoted, and the old generation its garbage.
 */
const MAX_FREE_ENTRIES = 1024;

/** The bytes counted for an entry: key, value, the stored value when it is another buffer, overhead. */
function entrySize(key: Buffer, value: Buffer | null, stored: Buffer | null | undefined): number {
  let n = key.length + CACHE_ENTRY_OVERHEAD;
  if (value !== null) n += value.length;
  if (stored !== undefined && stored !== null && stored !== value) n += stored.length;
  return n;
}

/** Receives the dirty entries of a named cache when it flushes, in the order of their last update. */
export type NamedCacheFlushCallback = (dirty: readonly CacheEntry[]) => void;

/** Counters of a {@link StoreCache}. */
export interface StoreCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly flushes: number;
  readonly sizeBytes: number;
  readonly entries: number;
}

/** The cache of one store of one task. */
export class NamedCache {
  private readonly map = new SortedBytesMap<CacheEntry>();
  /** LRU list: head is the eldest. */
  private head: CacheEntry | null = null;
  private tail: CacheEntry | null = null;
  private dirtyHead: CacheEntry | null = null;
  private dirtyTail: CacheEntry | null = null;
  private dirtyCount = 0;
  private flushing = false;
  /** The batch handed to the flush callback, reused (flushes do not nest). */
  private readonly batch: CacheEntry[] = [];
  /**
   * The entry last found or made: a put of the same key buffer right after a get (an aggregation's read,
   * then write) finds it without hashing the key again. Valid while live with that very key buffer (a
   * reused entry holds another one).
   */
  private last: CacheEntry | null = null;
  /** Dropped entries kept for reuse (this cache's only, so {@link last} cannot meet another cache's key). */
  private readonly free: CacheEntry[] = [];

  constructor(
    readonly name: string,
    private readonly owner: StoreCache,
    private readonly onFlush: NamedCacheFlushCallback,
  ) {}

  /** Number of entries. */
  get size(): number {
    return this.map.size;
  }

  /** Number of dirty entries. */
  get dirtySize(): number {
    return this.dirtyCount;
  }

  /** The entry of `key` (marked most recently used), or undefined; valid until the next write to this cache (evicted entries are reused). */
  get(key: Buffer): CacheEntry | undefined {
    const e = this.map.get(key);
    if (e === undefined) {
      this.owner.misses++;
      return undefined;
    }
    this.owner.hits++;
    this.touch(e);
    this.last = e;
    return e;
  }

  /**
   * Caches `value` for `key`. A dirty put marks the entry for the next flush; a clean put (a value read
   * from the store, or null for a key the store does not hold) is only a copy. May evict (and so flush)
   * entries of this cache.
   */
  put(key: Buffer, value: Buffer | null, timestamp: number, dirty: boolean): void {
    const last = this.last;
    let e = last !== null && last.key === key && last.live ? last : this.map.get(key);
    if (e === undefined) {
      e = this.newEntry(key, value, timestamp, dirty ? undefined : value);
      this.last = e;
      this.map.set(key, e);
      this.owner.sizeBytes += e.size;
      this.owner.entries++;
      this.linkLast(e);
    } else {
      if (dirty) {
        // A clean entry holds what the store holds; during a flush the store may be mid-write: unknown.
        if (!e.dirty) e.stored = this.flushing ? undefined : e.value;
      } else {
        e.stored = value;
      }
      const size = entrySize(e.key, value, e.stored);
      this.owner.sizeBytes += size - e.size;
      e.size = size;
      e.value = value;
      e.timestamp = timestamp;
      this.touch(e);
    }
    if (dirty) this.markDirty(e);
    if (this.owner.sizeBytes > this.owner.maxBytes) this.owner.evictFrom(this);
  }

  /**
   * Caches the clean `value` (null: absent) the store holds for `key`, right after {@link get} missed
   * it (nothing written to this cache since): the put of a clean value without looking the key up again.
   * May evict (and so flush) entries of this cache.
   */
  putMissed(key: Buffer, value: Buffer | null, timestamp: number): void {
    const e = this.newEntry(key, value, timestamp, value);
    this.last = e;
    this.map.add(key, e);
    this.owner.sizeBytes += e.size;
    this.owner.entries++;
    this.linkLast(e);
    if (this.owner.sizeBytes > this.owner.maxBytes) this.owner.evictFrom(this);
  }

  /** Removes `key` without flushing it. */
  delete(key: Buffer): void {
    const e = this.map.delete(key);
    if (e !== undefined) this.drop(e);
  }

  /** Cached entries with `from <= key <= to` in key order (deletions included: value null). */
  *range(from: Buffer | null, to: Buffer | null, reverse = false): Generator<[Buffer, Buffer | null]> {
    for (const [key, e] of this.map.range(from, to, reverse)) yield [key, e.value];
  }

  /**
   * Flushes the dirty entries in update order through the flush callback: all of them, or with
   * `through` those up to and including that dirty entry. Then forgets flushed deletions; the flushed
   * values become the entries' known stored values. Writes made by the callback into this cache are
   * flushed by the next flush.
   */
  flush(through: CacheEntry | null = null): void {
    if (this.dirtyCount === 0 || this.flushing) return;
    const batch = this.batch;
    let e = this.dirtyHead;
    while (e !== null) {
      const next: CacheEntry | null = e.dirtyNext;
      e.dirty = false;
      e.dirtyPrev = null;
      e.dirtyNext = null;
      batch.push(e);
      if (e === through) {
        e = next;
        break;
      }
      e = next;
    }
    const n = batch.length;
    this.dirtyHead = e;
    if (e === null) this.dirtyTail = null;
    else e.dirtyPrev = null;
    this.dirtyCount -= n;
    this.owner.flushes++;
    this.flushing = true;
    try {
      this.onFlush(batch);
    } finally {
      this.flushing = false;
    }
    const owner = this.owner;
    for (let i = 0; i < n; i++) {
      const e = batch[i]!;
      if (e.dirty || !e.live) continue;
      if (e.value === null) {
        this.map.delete(e.key);
        this.drop(e);
        this.recycle(e);
      } else if (e.stored !== e.value) {
        e.stored = e.value;
        const size = entrySize(e.key, e.value, e.value);
        owner.sizeBytes += size - e.size;
        e.size = size;
      }
    }
    batch.length = 0;
  }

  /** Evicts the least recently used entry; when it is dirty, first flushes the dirty entries up to it in update order. */
  evictEldest(): boolean {
    const e = this.head;
    if (e === null) return false;
    if (e.dirty) {
      if (this.flushing) return false;
      this.flush(e);
    }
    if (e.live) {
      this.map.delete(e.key);
      this.drop(e);
      // Reused unless a flush of this cache is in progress: its batch may hold the entry.
      if (!this.flushing) this.recycle(e);
    }
    this.owner.evictions++;
    return true;
  }

  /** Drops every entry without flushing (wipe, close). */
  clear(): void {
    for (let e = this.head; e !== null; e = e.next) {
      e.live = false;
      this.owner.sizeBytes -= e.size;
      this.owner.entries--;
    }
    this.map.clear();
    this.head = this.tail = null;
    this.dirtyHead = this.dirtyTail = null;
    this.dirtyCount = 0;
  }

  /** Closes the namespace: drops its entries without flushing and detaches it from the cache. */
  close(): void {
    this.clear();
    this.owner.release(this);
  }

  /** A new entry, reusing a dropped one of this cache when there is one. */
  private newEntry(key: Buffer, value: Buffer | null, timestamp: number, stored: Buffer | null | undefined): CacheEntry {
    const e = this.free.pop();
    if (e === undefined) return new CacheEntry(key, value, timestamp, stored);
    e.key = key;
    e.value = value;
    e.timestamp = timestamp;
    e.stored = stored;
    e.size = entrySize(key, value, stored);
    e.dirty = false;
    e.live = true;
    return e;
  }

  /** Keeps a dropped entry no longer referenced for {@link newEntry}. */
  private recycle(e: CacheEntry): void {
    if (this.free.length >= MAX_FREE_ENTRIES) return;
    e.value = null;
    e.stored = undefined;
    this.free.push(e);
  }

  private drop(e: CacheEntry): void {
    e.live = false;
    this.unlink(e);
    if (e.dirty) this.unlinkDirty(e);
    this.owner.sizeBytes -= e.size;
    this.owner.entries--;
  }

  private touch(e: CacheEntry): void {
    if (this.tail === e) return;
    this.unlink(e);
    this.linkLast(e);
  }

  private linkLast(e: CacheEntry): void {
    e.prev = this.tail;
    e.next = null;
    if (this.tail === null) this.head = e;
    else this.tail.next = e;
    this.tail = e;
  }

  private unlink(e: CacheEntry): void {
    if (e.prev === null) this.head = e.next;
    else e.prev.next = e.next;
    if (e.next === null) this.tail = e.prev;
    else e.next.prev = e.prev;
    e.prev = e.next = null;
  }

  private markDirty(e: CacheEntry): void {
    if (e.dirty) {
      if (this.dirtyTail === e) return;
      this.unlinkDirty(e);
    }
    e.dirty = true;
    e.dirtyPrev = this.dirtyTail;
    e.dirtyNext = null;
    if (this.dirtyTail === null) this.dirtyHead = e;
    else this.dirtyTail.dirtyNext = e;
    this.dirtyTail = e;
    this.dirtyCount++;
  }

  private unlinkDirty(e: CacheEntry): void {
    if (e.dirtyPrev === null) this.dirtyHead = e.dirtyNext;
    else e.dirtyPrev.dirtyNext = e.dirtyNext;
    if (e.dirtyNext === null) this.dirtyTail = e.dirtyPrev;
    else e.dirtyNext.dirtyPrev = e.dirtyPrev;
    e.dirtyPrev = e.dirtyNext = null;
    e.dirty = false;
    this.dirtyCount--;
  }
}

/**
 * The app-wide cache. The runtime makes one per application instance with `cacheMaxBytes` and hands it
 * to the stores as `context.cache`; caching stores that get none make a private one of the default size.
 *
 * @example
 * const cache = new StoreCache(10 * 1024 * 1024);
 * const named = cache.namedCache('0_1-counts', (dirty) => { for (const e of dirty) store.put(e.key, e.value); });
 * named.put(Buffer.from('k'), Buffer.from('v'), 0, true);
 * named.flush();
 */
export class StoreCache {
  sizeBytes = 0;
  entries = 0;
  hits = 0;
  misses = 0;
  evictions = 0;
  flushes = 0;
  private readonly caches = new Map<string, NamedCache>();

  /** @param maxBytes the bound over every named cache; 0 makes every write go through at once */
  constructor(readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES) {}

  /**
   * Creates the named cache of one store of one task (the name is usually `<taskId>-<store>`); a name
   * still open is closed first.
   */
  namedCache(name: string, onFlush: NamedCacheFlushCallback): NamedCache {
    this.caches.get(name)?.close();
    const cache = new NamedCache(name, this, onFlush);
    this.caches.set(name, cache);
    return cache;
  }

  /** Kafka's rule: evict from the cache that was written until the bound holds or it is empty. */
  evictFrom(cache: NamedCache): void {
    while (this.sizeBytes > this.maxBytes) {
      if (!cache.evictEldest()) return;
    }
  }

  /** Flushes every named cache. */
  flushAll(): void {
    for (const c of this.caches.values()) c.flush();
  }

  /** The names of the open named caches. */
  names(): string[] {
    return [...this.caches.keys()];
  }

  /** Counters and size. */
  stats(): StoreCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      flushes: this.flushes,
      sizeBytes: this.sizeBytes,
      entries: this.entries,
    };
  }

  /** @internal detaches a closed named cache */
  release(cache: NamedCache): void {
    if (this.caches.get(cache.name) === cache) this.caches.delete(cache.name);
  }
}
