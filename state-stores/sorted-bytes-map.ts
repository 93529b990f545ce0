/**
 * A map from byte keys to values that iterates in the byte order of the keys: the structure under the
 * in-memory stores, the pending writes of the LMDB stores and the named caches of the StoreCache.
 *
 * Point operations go through a hash table of the key bytes ({@link BytesHashTable}: no string made
 * per operation), so a get or an update of an existing key costs no ordering work and allocates nothing. Order is kept lazily: new keys wait in a `fresh` list and are
 * placed into the sorted structure (a list of sorted chunks of at most {@link MAX_CHUNK} entries, the
 * layout of Python's sortedcontainers) only when a range is asked for. A workload of point operations
 * (counting by key) never pays for ordering; a workload of ranges pays what a sorted insert costs.
 *
 * Range iterators survive writes made while they run: after a structural change they re-seek past the
 * last key they returned. Keys added during an iteration may or may not be seen by it.
 */
import { compareBytes } from './bytes.ts';
import { BytesHashTable, hashBytes } from './bytes-hash-table.ts';

const MAX_CHUNK = 512;
/** Removed slots kept for reuse at most (slots never placed: a map of point operations drops one per delete). */
const MAX_SPARE = 1024;
const NO_KEY = Buffer.alloc(0);

/** One entry of a range: key and value. The tuple is fresh per entry. */
export type BytesEntry<V> = [Buffer, V];

class Slot<V> {
  placed = false;
  dead = false;
  /** Whether the slot is in the fresh list (a dead one stays there until the list is filtered). */
  inFresh = true;
  constructor(
    public key: Buffer,
    public hash: number,
    public value: V,
  ) {}
}

function keepLive(s: Slot<unknown>): boolean {
  if (!s.dead) return true;
  s.inFresh = false;
  return false;
}

function markDead(s: Slot<unknown>): void {
  s.dead = true;
  s.value = undefined;
}

function compareSlots(a: Slot<unknown>, b: Slot<unknown>): number {
  return compareBytes(a.key, b.key);
}

export class SortedBytesMap<V> {
  private readonly table = new BytesHashTable<Slot<V>>();
  private chunks: Slot<V>[][] = [];
  private maxes: Buffer[] = [];
  private placedCount = 0;
  private fresh: Slot<V>[] = [];
  private freshDead = 0;
  /** Removed slots that were never placed, for reuse by new keys (a chunk or iterator cannot hold them). */
  private spare: Slot<V>[] = [];
  /** Bumped by every change of the sorted structure, so iterators know when to re-seek. */
  private version = 0;

  /** Number of entries. */
  get size(): number {
    return this.table.size;
  }

  /** The value of `key`, or undefined. */
  get(key: Buffer): V | undefined {
    if (this.table.size === 0) return undefined;
    const s = this.table.get(key, hashBytes(key));
    return s === undefined ? undefined : s.value;
  }

  /** Whether `key` is present. */
  has(key: Buffer): boolean {
    return this.table.size !== 0 && this.table.get(key, hashBytes(key)) !== undefined;
  }

  /**
   * Sets `key` to `value`; the key buffer is kept (not copied) when the key is new.
   * @returns true when the key was new
   */
  set(key: Buffer, value: V): boolean {
    const h = hashBytes(key);
    const s = this.table.get(key, h);
    if (s !== undefined) {
      s.value = value;
      return false;
    }
    this.table.add(this.newSlot(key, h, value));
    return true;
  }

  /**
   * Adds `key`, which the caller knows to be absent (a {@link get} just missed and nothing changed since):
   * one hash and no lookup. The key buffer is kept (not copied).
   */
  add(key: Buffer, value: V): void {
    this.table.add(this.newSlot(key, hashBytes(key), value));
  }

  /** A slot for a new key, in the fresh list: a spare one when there is one. */
  private newSlot(key: Buffer, hash: number, value: V): Slot<V> {
    const s = this.spare.pop();
    if (s === undefined) {
      const slot = new Slot(key, hash, value);
      this.fresh.push(slot);
      return slot;
    }
    s.key = key;
    s.hash = hash;
    s.value = value;
    s.dead = false;
    if (s.inFresh) this.freshDead--;
    else {
      s.inFresh = true;
      this.fresh.push(s);
    }
    return s;
  }

  /** Removes `key`; returns its value, or undefined when absent. */
  delete(key: Buffer): V | undefined {
    if (this.table.size === 0) return undefined;
    const s = this.table.remove(key, hashBytes(key));
    if (s === undefined) return undefined;
    s.dead = true;
    const value = s.value;
    // A dead slot may wait in the fresh list: it must not keep the value alive.
    s.value = undefined as V;
    if (s.placed) this.removePlaced(s.key);
    else {
      if (this.spare.length < MAX_SPARE) {
        s.key = NO_KEY;
        this.spare.push(s);
      }
      if (++this.freshDead > 1024 && this.freshDead * 2 > this.fresh.length) {
        this.fresh = this.fresh.filter(keepLive);
        this.freshDead = 0;
      }
    }
    return value;
  }

  /** Removes every entry. */
  clear(): void {
    this.table.forEach(markDead);
    this.table.clear();
    this.chunks = [];
    this.maxes = [];
    this.placedCount = 0;
    this.fresh = [];
    this.freshDead = 0;
    this.spare = [];
    this.version++;
  }

  /** The smallest key, or undefined when empty. */
  firstKey(): Buffer | undefined {
    this.place();
    return this.chunks.length === 0 ? undefined : this.chunks[0]![0]!.key;
  }

  /** The largest key, or undefined when empty. */
  lastKey(): Buffer | undefined {
    this.place();
    return this.maxes.length === 0 ? undefined : this.maxes[this.maxes.length - 1];
  }

  /**
   * Entries with `from <= key <= to` in byte order (null bounds are open), descending when `reverse`.
   * Writes made during the iteration are allowed: the iterator continues after the last key it returned.
   */
  *range(from: Buffer | null, to: Buffer | null, reverse = false): Generator<BytesEntry<V>> {
    if (from !== null && to !== null && compareBytes(from, to) > 0) return;
    this.place();
    if (!reverse) {
      let c: number;
      let i: number;
      if (from === null) {
        c = 0;
        i = 0;
      } else {
        c = this.chunkFor(from);
        i = c < this.chunks.length ? lowerBound(this.chunks[c]!, from) : 0;
      }
      let version = this.version;
      let last: Buffer | null = null;
      for (;;) {
        if (version !== this.version) {
          this.place();
          version = this.version;
          if (last === null) {
            c = from === null ? 0 : this.chunkFor(from);
            i = from === null || c >= this.chunks.length ? 0 : lowerBound(this.chunks[c]!, from);
          } else {
            c = this.chunkFor(last);
            if (c === this.chunks.length) return;
            const chunk = this.chunks[c]!;
            i = lowerBound(chunk, last);
            if (i < chunk.length && compareBytes(chunk[i]!.key, last) === 0) i++;
          }
        }
        if (c >= this.chunks.length) return;
        const chunk = this.chunks[c]!;
        if (i >= chunk.length) {
          c++;
          i = 0;
          continue;
        }
        const slot = chunk[i]!;
        if (to !== null && compareBytes(slot.key, to) > 0) return;
        last = slot.key;
        i++;
        yield [slot.key, slot.value];
      }
    } else {
      let pos = to === null ? this.lastPosition() : this.seekLastAtMost(to);
      let c = pos.c;
      let i = pos.i;
      let version = this.version;
      let last: Buffer | null = null;
      for (;;) {
        if (version !== this.version) {
          this.place();
          version = this.version;
          pos = last === null ? (to === null ? this.lastPosition() : this.seekLastAtMost(to)) : this.seekLastBelow(last);
          c = pos.c;
          i = pos.i;
        }
        if (c < 0) return;
        if (i < 0) {
          c--;
          i = c >= 0 ? this.chunks[c]!.length - 1 : -1;
          continue;
        }
        const slot = this.chunks[c]![i]!;
        if (from !== null && compareBytes(slot.key, from) < 0) return;
        last = slot.key;
        i--;
        yield [slot.key, slot.value];
      }
    }
  }

  // Sorted structure ---------------------------------------------------------------------------

  /** Places the fresh keys into the sorted structure. */
  private place(): void {
    if (this.fresh.length === 0) return;
    const live = this.freshDead === 0 ? this.fresh : this.fresh.filter(keepLive);
    this.fresh = [];
    this.freshDead = 0;
    if (live.length === 0) return;
    live.sort(compareSlots);
    if (live.length * 8 > this.placedCount) this.mergeAll(live);
    else for (const s of live) this.insertPlaced(s);
    for (const s of live) {
      s.placed = true;
      s.inFresh = false;
    }
    this.version++;
  }

  /** Rebuilds the chunks from a merge of the placed slots and `sorted`. */
  private mergeAll(sorted: Slot<V>[]): void {
    const out: Slot<V>[] = new Array(this.placedCount + sorted.length);
    let n = 0;
    let j = 0;
    for (const chunk of this.chunks) {
      for (const s of chunk) {
        while (j < sorted.length && compareSlots(sorted[j]!, s) < 0) out[n++] = sorted[j++]!;
        out[n++] = s;
      }
    }
    while (j < sorted.length) out[n++] = sorted[j++]!;
    const half = MAX_CHUNK >>> 1;
    this.chunks = [];
    this.maxes = [];
    for (let k = 0; k < n; k += half) {
      const chunk = out.slice(k, Math.min(n, k + half));
      this.chunks.push(chunk);
      this.maxes.push(chunk[chunk.length - 1]!.key);
    }
    this.placedCount = n;
  }

  private insertPlaced(slot: Slot<V>): void {
    const key = slot.key;
    this.placedCount++;
    if (this.chunks.length === 0) {
      this.chunks.push([slot]);
      this.maxes.push(key);
      return;
    }
    let c = this.chunkFor(key);
    if (c === this.chunks.length) {
      c--;
      this.chunks[c]!.push(slot);
      this.maxes[c] = key;
    } else {
      const chunk = this.chunks[c]!;
      chunk.splice(lowerBound(chunk, key), 0, slot);
    }
    if (this.chunks[c]!.length > MAX_CHUNK) this.split(c);
  }

  private split(c: number): void {
    const chunk = this.chunks[c]!;
    const right = chunk.splice(chunk.length >>> 1);
    this.chunks.splice(c + 1, 0, right);
    this.maxes[c] = chunk[chunk.length - 1]!.key;
    this.maxes.splice(c + 1, 0, right[right.length - 1]!.key);
  }

  private removePlaced(key: Buffer): void {
    const c = this.chunkFor(key);
    if (c === this.chunks.length) return;
    const chunk = this.chunks[c]!;
    const i = lowerBound(chunk, key);
    if (i >= chunk.length || compareBytes(chunk[i]!.key, key) !== 0) return;
    chunk.splice(i, 1);
    this.placedCount--;
    this.version++;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.maxes.splice(c, 1);
    } else if (i === chunk.length) {
      this.maxes[c] = chunk[i - 1]!.key;
    }
  }

  /** Index of the first chunk whose max is >= key (chunks.length when none). */
  private chunkFor(key: Buffer): number {
    const maxes = this.maxes;
    let lo = 0;
    let hi = maxes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(maxes[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lastPosition(): { c: number; i: number } {
    const c = this.chunks.length - 1;
    return { c, i: c >= 0 ? this.chunks[c]!.length - 1 : -1 };
  }

  /** Position of the last key <= key (c = -1 when none). */
  private seekLastAtMost(key: Buffer): { c: number; i: number } {
    let c = this.chunkFor(key);
    if (c === this.chunks.length) return this.lastPosition();
    const chunk = this.chunks[c]!;
    let i = lowerBound(chunk, key);
    if (i < chunk.length && compareBytes(chunk[i]!.key, key) === 0) return { c, i };
    i--;
    if (i < 0) {
      c--;
      i = c >= 0 ? this.chunks[c]!.length - 1 : -1;
    }
    return { c, i };
  }

  /** Position of the last key < key (c = -1 when none). */
  private seekLastBelow(key: Buffer): { c: number; i: number } {
    let c = this.chunkFor(key);
    if (c === this.chunks.length) return this.lastPosition();
    let i = lowerBound(this.chunks[c]!, key) - 1;
    if (i < 0) {
      c--;
      i = c >= 0 ? this.chunks[c]!.length - 1 : -1;
    }
    return { c, i };
  }
}

/** Index of the first slot with key >= key in a chunk. */
function lowerBound(chunk: readonly Slot<unknown>[], key: Buffer): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(chunk[mid]!.key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
