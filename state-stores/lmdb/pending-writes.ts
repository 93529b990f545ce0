/**
 * The pending (not yet committed) writes of an LMDB database, packed in one byte arena: each write
 * appends a record `[key length u32 LE][value length i32 LE, -1 for a deletion][key][value]` and an
 * open-addressing index (two Int32Arrays: record offset, key hash) points each key at its latest
 * record. No object is kept per write, so the memory held is the bytes written plus about 11 bytes of
 * index per key ({@link PendingWrites.bytes} counts exactly what is held), and the garbage collector
 * has nothing to trace. The previous layout (a Buffer pair, a slot object and a map entry per key)
 * held ~320 bytes per 23-byte write.
 *
 * Superseded records stay in the arena until it fills up; it is then compacted (when at least half is
 * garbage) or doubled. Buffers handed out ({@link PendingWrites.get}, {@link PendingWrites.range}) are
 * copies, so a caller may keep them without pinning an arena. Ranges sort the keys once (until a key
 * is removed or the arena is compacted) and return each key's value as it is when the iterator reaches
 * it; keys added during an iteration are not seen by it. Keys added after the sort go into a small
 * sorted run ({@link PendingWrites} `recent`, merged into the sorted keys once it holds about 8 times the
 * square root of them), so a range between writes of new keys (a window store's puts and fetches) costs a
 * binary search, not a sort of every pending key.
 */
import { compareBytes } from '../bytes.ts';
import { hashBytes } from '../bytes-hash-table.ts';

const HEADER = 8;
const INITIAL_ARENA = 64 * 1024;
const INITIAL_SLOTS = 64;
const NO_RECORDS = new Int32Array(0);
/** The smallest bound of the run of recently added keys before it is merged into the sorted keys. */
const MIN_RECENT = 32;
/**
 * The run of recently added keys is merged into the n sorted keys once it holds `RECENT_FACTOR * sqrt(n)`
 * keys: a merge costs n key comparisons, an insert into the run a memmove of part of it (cheap per
 * element), so a longer run costs fewer comparisons per key added (sqrt(n) / RECENT_FACTOR).
 */
const RECENT_FACTOR = 8;

function readInt32LE(a: Buffer, at: number): number {
  return a[at]! | (a[at + 1]! << 8) | (a[at + 2]! << 16) | (a[at + 3]! << 24);
}

function writeInt32LE(a: Buffer, at: number, v: number): void {
  a[at] = v & 0xff;
  a[at + 1] = (v >>> 8) & 0xff;
  a[at + 2] = (v >>> 16) & 0xff;
  a[at + 3] = (v >>> 24) & 0xff;
}

function recordSize(a: Buffer, rec: number): number {
  const vlen = readInt32LE(a, rec + 4);
  return HEADER + readInt32LE(a, rec) + (vlen < 0 ? 0 : vlen);
}

/** Byte-order comparison of the keys of two records of one arena. */
function compareRecordKeys(a: Buffer, x: number, y: number): number {
  const xl = readInt32LE(a, x);
  const yl = readInt32LE(a, y);
  const n = xl < yl ? xl : yl;
  x += HEADER;
  y += HEADER;
  for (let i = 0; i < n; i++) {
    const d = a[x + i]! - a[y + i]!;
    if (d !== 0) return d;
  }
  return xl - yl;
}

/** Compares the key of record `rec` with `key`. */
function compareRecordKey(a: Buffer, rec: number, key: Buffer): number {
  const rl = readInt32LE(a, rec);
  const n = rl < key.length ? rl : key.length;
  const base = rec + HEADER;
  for (let i = 0; i < n; i++) {
    const d = a[base + i]! - key[i]!;
    if (d !== 0) return d;
  }
  return rl - key.length;
}

/** The first index of `sorted[0, length)` (record offsets in key order) whose key is >= `key`. */
function lowerBound(a: Buffer, sorted: Int32Array, length: number, key: Buffer): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRecordKey(a, sorted[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of `sorted` whose key is > `key`. */
function upperBound(a: Buffer, sorted: Int32Array, length: number, key: Buffer): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRecordKey(a, sorted[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of `sorted` whose key is > the key of record `rec`. */
function upperBoundRecord(a: Buffer, sorted: Int32Array, length: number, rec: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRecordKeys(a, sorted[mid]!, rec) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Receives pending writes in key order: views into the arena, valid only during the call. */
/** Records sorted by a native sort of key prefixes below this count use the comparator alone. */
const MIN_PREFIX_SORT = 64;
/** Index bits of a prefix-sort number: 32 bits of key prefix above them keep it an exact double (53 bits). */
const INDEX_BITS = 21;
const INDEX_SPAN = 2 ** INDEX_BITS;

/**
 * Sorts records (arena offsets) by key: a native sort of numbers holding 4 key bytes (after the bytes
 * every key shares) above the record's index, then the comparator only inside runs of equal bytes.
 * Missing bytes count as 0, so a key sorts no later than a longer key it prefixes: the prefix order never
 * contradicts the key order. A commit of 100k pending keys costs ~1.7M comparator calls with the
 * comparator alone.
 */
function sortRecords(a: Buffer, recs: Int32Array): void {
  const n = recs.length;
  if (n < MIN_PREFIX_SORT || n >= INDEX_SPAN) {
    recs.sort((x, y) => compareRecordKeys(a, x, y));
    return;
  }
  // Bytes shared by every key (at most 16): a prefix past them tells more keys apart.
  const first = recs[0]!;
  let shared = Math.min(readInt32LE(a, first), 16);
  for (let i = 1; i < n && shared > 0; i++) {
    const rec = recs[i]!;
    const len = readInt32LE(a, rec);
    if (len < shared) shared = len;
    for (let b = 0; b < shared; b++) {
      if (a[rec + HEADER + b] !== a[first + HEADER + b]) {
        shared = b;
        break;
      }
    }
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const rec = recs[i]!;
    const len = readInt32LE(a, rec);
    const at = rec + HEADER + shared;
    const left = len - shared;
    const p =
      (left > 0 ? a[at]! * 0x1000000 : 0) +
      (left > 1 ? a[at + 1]! << 16 : 0) +
      (left > 2 ? a[at + 2]! << 8 : 0) +
      (left > 3 ? a[at + 3]! : 0);
    keys[i] = p * INDEX_SPAN + i;
  }
  keys.sort();
  const orig = recs.slice();
  for (let i = 0; i < n; i++) recs[i] = orig[keys[i]! % INDEX_SPAN]!;
  // Runs of equal prefixes: sorted by the comparator.
  let start = 0;
  let prefix = Math.floor(keys[0]! / INDEX_SPAN);
  for (let i = 1; i <= n; i++) {
    const next = i < n ? Math.floor(keys[i]! / INDEX_SPAN) : -1;
    if (next === prefix) continue;
    if (i - start > 1) recs.subarray(start, i).sort((x, y) => compareRecordKeys(a, x, y));
    start = i;
    prefix = next;
  }
}

export type PendingWriteVisitor = (key: Buffer, value: Buffer | null) => void;

export class PendingWrites {
  private arena: Buffer = Buffer.allocUnsafe(INITIAL_ARENA);
  private used = 0;
  private garbage = 0;
  /** Record offset + 1 per slot (0: empty), and the key hash per slot. */
  private offs = new Int32Array(INITIAL_SLOTS);
  private hashes = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Offsets of records of the keys sorted so far, in key order; null after a key was removed. */
  private sorted: Int32Array | null = null;
  /**
   * Offsets of records of keys added since {@link sorted} was built, in key order: the first
   * `recentCount` slots (grown in place, copied instead while a range iterates over it).
   */
  private recent: Int32Array = NO_RECORDS;
  private recentCount = 0;
  /** Range iterators running (they read `sorted` and `recent` as they were when they started). */
  private iterating = 0;
  /** Whether {@link sorted} holds the latest record of each key (no key was updated since the sort). */
  private sortedLatest = false;
  /** Number of keys with a pending write. */
  size = 0;

  /**
   * Bytes held: the whole arena (grown ahead of use: up to 3x the records it holds), the index and the
   * sorted key order, so a bound on it bounds the memory pending writes take; 0 when nothing is
   * pending (the small empty arena is the store's fixed overhead).
   */
  get bytes(): number {
    if (this.size === 0) return 0;
    return this.arena.length + this.offs.length * 8 + (this.sorted === null ? 0 : this.sorted.length * 4) + this.recent.length * 4;
  }

  /** The pending value of `key`: a copy, null for a pending deletion, undefined when none is pending. */
  get(key: Buffer): Buffer | null | undefined {
    if (this.size === 0) return undefined;
    const i = this.find(key, hashBytes(key));
    return i < 0 ? undefined : this.valueCopy(this.offs[i]! - 1);
  }

  /** Records a write (null: a deletion) of `key`. */
  put(key: Buffer, value: Buffer | null): void {
    const need = HEADER + key.length + (value === null ? 0 : value.length);
    if (this.used + need > this.arena.length) this.makeRoom(need);
    const h = hashBytes(key);
    const i = this.find(key, h);
    const rec = this.used;
    const a = this.arena;
    writeInt32LE(a, rec, key.length);
    writeInt32LE(a, rec + 4, value === null ? -1 : value.length);
    key.copy(a, rec + HEADER);
    if (value !== null) value.copy(a, rec + HEADER + key.length);
    this.used += need;
    if (i >= 0) {
      this.garbage += recordSize(a, this.offs[i]! - 1);
      this.offs[i] = rec + 1;
      this.sortedLatest = false;
      return;
    }
    const slot = -1 - i;
    this.offs[slot] = rec + 1;
    this.hashes[slot] = h;
    if (this.sorted !== null) this.addRecent(rec);
    if (++this.size * 4 > (this.mask + 1) * 3) this.resizeIndex((this.mask + 1) * 2);
  }

  /** Forgets the pending write of `key`; returns whether there was one. */
  delete(key: Buffer): boolean {
    if (this.size === 0) return false;
    let i = this.find(key, hashBytes(key));
    if (i < 0) return false;
    const offs = this.offs;
    const hashes = this.hashes;
    const mask = this.mask;
    this.garbage += recordSize(this.arena, offs[i]! - 1);
    // Backward-shift deletion (linear probing without tombstones).
    for (let j = (i + 1) & mask; offs[j] !== 0; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      offs[i] = offs[j]!;
      hashes[i] = hashes[j]!;
      i = j;
    }
    offs[i] = 0;
    this.size--;
    this.sorted = null;
    this.recent = NO_RECORDS;
    this.recentCount = 0;
    return true;
  }

  /** Forgets every pending write (a new arena: buffers handed out never change). */
  clear(): void {
    this.arena = Buffer.allocUnsafe(INITIAL_ARENA);
    this.used = 0;
    this.garbage = 0;
    this.offs = new Int32Array(INITIAL_SLOTS);
    this.hashes = new Int32Array(INITIAL_SLOTS);
    this.mask = INITIAL_SLOTS - 1;
    this.sorted = null;
    this.recent = NO_RECORDS;
    this.recentCount = 0;
    this.size = 0;
  }

  /** Calls `visit` with every pending write in key order (views, valid during the call only). */
  forEachSorted(visit: PendingWriteVisitor): void {
    // Sorted keys still holding each key's latest record need only the recent run merged in, not a sort.
    if (!this.sortedLatest) this.sorted = null;
    else if (this.sorted !== null && this.recentCount > 0) this.mergeRecent();
    const sorted = this.sortedRecords();
    const a = this.arena;
    for (let n = 0; n < sorted.length; n++) {
      const rec = sorted[n]!;
      const klen = readInt32LE(a, rec);
      const vlen = readInt32LE(a, rec + 4);
      const k = rec + HEADER;
      visit(a.subarray(k, k + klen), vlen < 0 ? null : a.subarray(k + klen, k + klen + vlen));
    }
  }

  /** Pending writes with `from <= key <= to` (null bounds open) in key order, descending when `reverse`: copies. */
  *range(from: Buffer | null, to: Buffer | null, reverse = false): Generator<[Buffer, Buffer | null]> {
    if (this.size === 0) return;
    if (from !== null && to !== null && compareBytes(from, to) > 0) return;
    const sorted = this.sortedRecords();
    const recent = this.recent;
    const recentCount = this.recentCount;
    const a = this.arena;
    // Two sorted runs without common keys (the sorted keys and the recently added ones), merged.
    let n: number;
    let m: number;
    if (reverse) {
      n = (to === null ? sorted.length : upperBound(a, sorted, sorted.length, to)) - 1;
      m = (to === null ? recentCount : upperBound(a, recent, recentCount, to)) - 1;
    } else {
      n = from === null ? 0 : lowerBound(a, sorted, sorted.length, from);
      m = from === null ? 0 : lowerBound(a, recent, recentCount, from);
    }
    this.iterating++;
    try {
      for (;;) {
        let rec: number;
        if (reverse) {
          if (n < 0 && m < 0) return;
          if (m < 0 || (n >= 0 && compareRecordKeys(a, sorted[n]!, recent[m]!) > 0)) rec = sorted[n--]!;
          else rec = recent[m--]!;
          if (from !== null && compareRecordKey(a, rec, from) < 0) return;
        } else {
          if (n >= sorted.length && m >= recentCount) return;
          if (m >= recentCount || (n < sorted.length && compareRecordKeys(a, sorted[n]!, recent[m]!) < 0)) rec = sorted[n++]!;
          else rec = recent[m++]!;
          if (to !== null && compareRecordKey(a, rec, to) > 0) return;
        }
        const klen = readInt32LE(a, rec);
        const key = Buffer.allocUnsafe(klen);
        a.copy(key, 0, rec + HEADER, rec + HEADER + klen);
        // The key's latest write (it may have been updated or removed since the sort).
        const i = this.find(key, hashBytes(key));
        if (i < 0) continue;
        yield [key, this.valueCopy(this.offs[i]! - 1)];
      }
    } finally {
      this.iterating--;
    }
  }

  /**
   * Appends the pending writes with `from <= key <= to` to `out` in ascending key order (copies; null
   * values are deletions), at most `limit` of them: the eager form of {@link PendingWrites.range} for
   * short ranges (one key of a window store over a time span), without a generator per call.
   * @returns false when the range holds more than `limit` writes (`out` is then incomplete)
   */
  collectRange(from: Buffer, to: Buffer, out: [Buffer, Buffer | null][], limit: number): boolean {
    if (this.size === 0) return true;
    if (compareBytes(from, to) > 0) return true;
    const sorted = this.sortedRecords();
    const recent = this.recent;
    const recentCount = this.recentCount;
    const a = this.arena;
    let n = lowerBound(a, sorted, sorted.length, from);
    let m = lowerBound(a, recent, recentCount, from);
    let taken = 0;
    for (;;) {
      let rec: number;
      if (n >= sorted.length && m >= recentCount) return true;
      if (m >= recentCount || (n < sorted.length && compareRecordKeys(a, sorted[n]!, recent[m]!) < 0)) rec = sorted[n++]!;
      else rec = recent[m++]!;
      if (compareRecordKey(a, rec, to) > 0) return true;
      if (++taken > limit) return false;
      const klen = readInt32LE(a, rec);
      const key = Buffer.allocUnsafe(klen);
      a.copy(key, 0, rec + HEADER, rec + HEADER + klen);
      // The key's latest write (the sort may predate an update).
      const i = this.find(key, hashBytes(key));
      if (i >= 0) out.push([key, this.valueCopy(this.offs[i]! - 1)]);
    }
  }

  /** Adds a new key's record to the recent run; merges a long run into the sorted keys. */
  private addRecent(rec: number): void {
    const a = this.arena;
    const count = this.recentCount;
    let recent = this.recent;
    const at = upperBoundRecord(a, recent, count, rec);
    if (this.iterating > 0 || count === recent.length) {
      // A new array: running iterators keep theirs.
      const next = new Int32Array(count < MIN_RECENT ? MIN_RECENT : count * 2);
      next.set(recent.subarray(0, at), 0);
      next.set(recent.subarray(at, count), at + 1);
      recent = this.recent = next;
    } else recent.copyWithin(at + 1, at, count);
    recent[at] = rec;
    const total = (this.recentCount = count + 1);
    const sorted = this.sorted!;
    if (total > MIN_RECENT && total * total > sorted.length * (RECENT_FACTOR * RECENT_FACTOR)) this.mergeRecent();
  }

  /** Merges the run of recently added keys into the sorted keys. */
  private mergeRecent(): void {
    const a = this.arena;
    const sorted = this.sorted!;
    const recent = this.recent;
    const total = this.recentCount;
    const merged = new Int32Array(sorted.length + total);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < sorted.length && j < total) merged[k++] = compareRecordKeys(a, sorted[i]!, recent[j]!) < 0 ? sorted[i++]! : recent[j++]!;
    while (i < sorted.length) merged[k++] = sorted[i++]!;
    while (j < total) merged[k++] = recent[j++]!;
    this.sorted = merged;
    if (this.iterating > 0) this.recent = NO_RECORDS;
    this.recentCount = 0;
  }

  private valueCopy(rec: number): Buffer | null {
    const a = this.arena;
    const vlen = readInt32LE(a, rec + 4);
    if (vlen < 0) return null;
    const start = rec + HEADER + readInt32LE(a, rec);
    const out = Buffer.allocUnsafe(vlen);
    a.copy(out, 0, start, start + vlen);
    return out;
  }

  /** Slot of `key`, or -1 - (the empty slot where it would go). */
  private find(key: Buffer, h: number): number {
    const offs = this.offs;
    const hashes = this.hashes;
    const mask = this.mask;
    const a = this.arena;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const o = offs[i]!;
      if (o === 0) return -1 - i;
      if (hashes[i] === h && readInt32LE(a, o - 1) === key.length && compareRecordKey(a, o - 1, key) === 0) return i;
    }
  }

  private sortedRecords(): Int32Array {
    if (this.sorted !== null) return this.sorted;
    const out = new Int32Array(this.size);
    let n = 0;
    const offs = this.offs;
    for (let i = 0; i < offs.length; i++) if (offs[i] !== 0) out[n++] = offs[i]! - 1;
    sortRecords(this.arena, out);
    this.sorted = out;
    this.recent = NO_RECORDS;
    this.recentCount = 0;
    this.sortedLatest = true;
    return out;
  }

  /** Room for `need` more bytes: compacts when at least half the arena is garbage, else grows it. */
  private makeRoom(need: number): void {
    const live = this.used - this.garbage;
    let capacity = this.arena.length;
    if (this.garbage * 2 < this.used || live + need > capacity) {
      while (capacity < (live + need) * 1.5) capacity *= 2;
    }
    const from = this.arena;
    const to = Buffer.allocUnsafe(capacity);
    let used = 0;
    const offs = this.offs;
    for (let i = 0; i < offs.length; i++) {
      const o = offs[i]!;
      if (o === 0) continue;
      const size = recordSize(from, o - 1);
      from.copy(to, used, o - 1, o - 1 + size);
      offs[i] = used + 1;
      used += size;
    }
    this.arena = to;
    this.used = used;
    this.garbage = 0;
    this.sorted = null;
    this.recent = NO_RECORDS;
    this.recentCount = 0;
  }

  private resizeIndex(capacity: number): void {
    const oldOffs = this.offs;
    const oldHashes = this.hashes;
    this.offs = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
    const mask = this.mask;
    for (let i = 0; i < oldOffs.length; i++) {
      const o = oldOffs[i]!;
      if (o === 0) continue;
      let j = oldHashes[i]! & mask;
      while (this.offs[j] !== 0) j = (j + 1) & mask;
      this.offs[j] = o;
      this.hashes[j] = oldHashes[i]!;
    }
  }
}
