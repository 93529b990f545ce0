/**
 * A map from byte keys to values kept in the byte order of the keys: the ordered structure under the
 * in-memory stores, the pending writes of the LMDB stores and the named caches of the StoreCache.
 *
 * Layout: a list of sorted chunks (each at most {@link MAX_CHUNK} keys) with the last key of every
 * chunk in `maxes` (the layout of Python's sortedcontainers). Lookups are two binary searches; an
 * insert moves at most one chunk's worth of array slots. Range iterators survive writes made while
 * they run: after a change they re-seek past the last key they returned.
 */
const MAX_CHUNK = 512;

/** One entry of a range: key and value. The tuple is fresh per entry. */
export type BytesEntry<V> = [Buffer, V];

export class SortedBytesMap<V> {
  private keys: Buffer[][] = [];
  private vals: V[][] = [];
  private maxes: Buffer[] = [];
  private count = 0;
  /** Bumped by every structural change (insert/delete), so iterators know when to re-seek. */
  private version = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose max is >= key (chunks.length when none). */
  private chunkFor(key: Buffer): number {
    const maxes = this.maxes;
    let lo = 0;
    let hi = maxes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(maxes[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key >= key in a chunk. */
  private static lowerBound(chunk: Buffer[], key: Buffer): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(chunk[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The value of `key`, or undefined. */
  get(key: Buffer): V | undefined {
    const c = this.chunkFor(key);
    if (c === this.keys.length) return undefined;
    const chunk = this.keys[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    if (i < chunk.length && Buffer.compare(chunk[i]!, key) === 0) return this.vals[c]![i];
    return undefined;
  }

  /** Whether `key` is present. */
  has(key: Buffer): boolean {
    const c = this.chunkFor(key);
    if (c === this.keys.length) return false;
    const chunk = this.keys[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    return i < chunk.length && Buffer.compare(chunk[i]!, key) === 0;
  }

  /**
   * Sets `key` to `value`; the key buffer is kept (not copied) when the key is new.
   * @returns true when the key was new
   */
  set(key: Buffer, value: V): boolean {
    const keys = this.keys;
    if (keys.length === 0) {
      keys.push([key]);
      this.vals.push([value]);
      this.maxes.push(key);
      this.count = 1;
      this.version++;
      return true;
    }
    let c = this.chunkFor(key);
    if (c === keys.length) {
      // Larger than every key: append to the last chunk.
      c--;
      const chunk = keys[c]!;
      chunk.push(key);
      this.vals[c]!.push(value);
      this.maxes[c] = key;
      this.count++;
      this.version++;
      if (chunk.length > MAX_CHUNK) this.split(c);
      return true;
    }
    const chunk = keys[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    if (i < chunk.length && Buffer.compare(chunk[i]!, key) === 0) {
      this.vals[c]![i] = value;
      return false;
    }
    chunk.splice(i, 0, key);
    this.vals[c]!.splice(i, 0, value);
    this.count++;
    this.version++;
    if (chunk.length > MAX_CHUNK) this.split(c);
    return true;
  }

  private split(c: number): void {
    const chunk = this.keys[c]!;
    const half = chunk.length >>> 1;
    const rightKeys = chunk.splice(half);
    const rightVals = this.vals[c]!.splice(half);
    this.keys.splice(c + 1, 0, rightKeys);
    this.vals.splice(c + 1, 0, rightVals);
    this.maxes[c] = chunk[chunk.length - 1]!;
    this.maxes.splice(c + 1, 0, rightKeys[rightKeys.length - 1]!);
  }

  /** Removes `key`; returns its value, or undefined when absent. */
  delete(key: Buffer): V | undefined {
    const c = this.chunkFor(key);
    if (c === this.keys.length) return undefined;
    const chunk = this.keys[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    if (i >= chunk.length || Buffer.compare(chunk[i]!, key) !== 0) return undefined;
    const vals = this.vals[c]!;
    const old = vals[i];
    chunk.splice(i, 1);
    vals.splice(i, 1);
    this.count--;
    this.version++;
    if (chunk.length === 0) {
      this.keys.splice(c, 1);
      this.vals.splice(c, 1);
      this.maxes.splice(c, 1);
    } else if (i === chunk.length) {
      this.maxes[c] = chunk[i - 1]!;
    }
    return old;
  }

  /** Removes every entry. */
  clear(): void {
    this.keys = [];
    this.vals = [];
    this.maxes = [];
    this.count = 0;
    this.version++;
  }

  /** The smallest key, or undefined when empty. */
  firstKey(): Buffer | undefined {
    return this.keys.length === 0 ? undefined : this.keys[0]![0];
  }

  /** The largest key, or undefined when empty. */
  lastKey(): Buffer | undefined {
    return this.maxes.length === 0 ? undefined : this.maxes[this.maxes.length - 1];
  }

  /**
   * Entries with `from <= key <= to` in byte order (null bounds are open), descending when `reverse`.
   * Writes made during the iteration are allowed: the iterator continues after the last key it returned.
   */
  *range(from: Buffer | null, to: Buffer | null, reverse = false): Generator<BytesEntry<V>> {
    if (from !== null && to !== null && Buffer.compare(from, to) > 0) return;
    if (!reverse) {
      let c: number;
      let i: number;
      if (from === null) {
        c = 0;
        i = 0;
      } else {
        c = this.chunkFor(from);
        i = c < this.keys.length ? SortedBytesMap.lowerBound(this.keys[c]!, from) : 0;
      }
      let version = this.version;
      let last: Buffer | null = null;
      for (;;) {
        if (version !== this.version) {
          // Re-seek to the first key > last.
          version = this.version;
          c = this.chunkFor(last!);
          if (c === this.keys.length) return;
          const chunk = this.keys[c]!;
          i = SortedBytesMap.lowerBound(chunk, last!);
          if (i < chunk.length && Buffer.compare(chunk[i]!, last!) === 0) i++;
        }
        if (c >= this.keys.length) return;
        const chunk = this.keys[c]!;
        if (i >= chunk.length) {
          c++;
          i = 0;
          continue;
        }
        const key = chunk[i]!;
        if (to !== null && Buffer.compare(key, to) > 0) return;
        last = key;
        const value = this.vals[c]![i]!;
        i++;
        yield [key, value];
      }
    } else {
      let c: number;
      let i: number;
      if (to === null) {
        c = this.keys.length - 1;
        i = c >= 0 ? this.keys[c]!.length - 1 : -1;
      } else {
        ({ c, i } = this.seekLastAtMost(to));
      }
      let version = this.version;
      let last: Buffer | null = null;
      for (;;) {
        if (version !== this.version) {
          version = this.version;
          ({ c, i } = this.seekLastBelow(last!));
        }
        if (c < 0) return;
        const chunk = this.keys[c]!;
        if (i < 0) {
          c--;
          i = c >= 0 ? this.keys[c]!.length - 1 : -1;
          continue;
        }
        const key = chunk[i]!;
        if (from !== null && Buffer.compare(key, from) < 0) return;
        last = key;
        const value = this.vals[c]![i]!;
        i--;
        yield [key, value];
      }
    }
  }

  /** Position of the last key <= key (c = -1 when none). */
  private seekLastAtMost(key: Buffer): { c: number; i: number } {
    let c = this.chunkFor(key);
    if (c === this.keys.length) {
      c--;
      return { c, i: c >= 0 ? this.keys[c]!.length - 1 : -1 };
    }
    const chunk = this.keys[c]!;
    let i = SortedBytesMap.lowerBound(chunk, key);
    if (i < chunk.length && Buffer.compare(chunk[i]!, key) === 0) return { c, i };
    i--;
    if (i < 0) {
      c--;
      i = c >= 0 ? this.keys[c]!.length - 1 : -1;
    }
    return { c, i };
  }

  /** Position of the last key < key (c = -1 when none). */
  private seekLastBelow(key: Buffer): { c: number; i: number } {
    let c = this.chunkFor(key);
    if (c === this.keys.length) {
      c--;
      return { c, i: c >= 0 ? this.keys[c]!.length - 1 : -1 };
    }
    let i = SortedBytesMap.lowerBound(this.keys[c]!, key) - 1;
    if (i < 0) {
      c--;
      i = c >= 0 ? this.keys[c]!.length - 1 : -1;
    }
    return { c, i };
  }
}
