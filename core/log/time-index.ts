/**
 * A segment's sparse time index (Kafka's `TimeIndex`): an entry (T, O) is added whenever a batch raises
 * the segment's largest timestamp, where O is the base offset of that batch. So every record before O has
 * a timestamp < T, and the last entry holds the segment's largest timestamp (used by retention).
 * On disk (`.timeindex`) an entry is 12 bytes, big-endian: timestamp as two 32-bit halves (i32 high,
 * u32 low) and the relative offset (u32).
 */
import fs from 'node:fs';
import { IllegalStateError, StorageError } from '../errors/log-errors.ts';

/** Bytes per entry in a `.timeindex` file. */
export const TIME_INDEX_ENTRY_BYTES = 12;

const TWO_32 = 0x1_0000_0000;
const MAX_U32 = 0xffff_ffff;

/** The result of {@link TimeIndex.load}: the index, or why the file could not be used. */
export interface TimeIndexLoad {
  readonly index: TimeIndex | null;
  /** Why the file is unusable; null when `index` is set. */
  readonly problem: string | null;
}

/**
 * Sparse timestamp -> offset index of one segment.
 *
 * @example
 * const index = new TimeIndex(0);
 * index.maybeAppend(1_000, 0);
 * index.maybeAppend(2_000, 10);
 * index.lookup(1_500); // 0: scan from offset 0 for the first record with timestamp >= 1500
 */
export class TimeIndex {
  /** The segment's base offset; entries store offsets relative to it. */
  readonly baseOffset: number;
  private timestamps: Float64Array;
  private relOffsets: Uint32Array;
  private count = 0;

  constructor(baseOffset: number, capacity = 16) {
    this.baseOffset = baseOffset;
    this.timestamps = new Float64Array(capacity);
    this.relOffsets = new Uint32Array(capacity);
  }

  /**
   * Reads a `.timeindex` file: whole entries, strictly increasing timestamps, non-decreasing offsets below
   * `nextOffset` (the offset after the segment's last batch, or an upper bound of it).
   */
  static load(file: string, baseOffset: number, nextOffset: number): TimeIndexLoad {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { index: null, problem: 'missing' };
      throw new StorageError(`Cannot read time index ${file}: ${(cause as Error).message}`, { cause });
    }
    if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0) {
      return { index: null, problem: `size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_BYTES}` };
    }
    const n = bytes.length / TIME_INDEX_ENTRY_BYTES;
    const index = new TimeIndex(baseOffset, Math.max(16, n));
    let prevTs = -1;
    let prevRel = -1;
    for (let i = 0; i < n; i++) {
      const p = i * TIME_INDEX_ENTRY_BYTES;
      const ts = bytes.readInt32BE(p) * TWO_32 + bytes.readUInt32BE(p + 4);
      const rel = bytes.readUInt32BE(p + 8);
      if (ts <= prevTs || rel < prevRel) return { index: null, problem: `entry ${i} is out of order` };
      if (baseOffset + rel >= nextOffset) {
        return { index: null, problem: `entry ${i} names offset ${baseOffset + rel}, past the segment` };
      }
      index.timestamps[i] = ts;
      index.relOffsets[i] = rel;
      prevTs = ts;
      prevRel = rel;
    }
    index.count = n;
    return { index, problem: null };
  }

  /** Number of entries. */
  get entries(): number {
    return this.count;
  }

  /** Timestamp of entry `i`. */
  timestampAt(i: number): number {
    return this.timestamps[i]!;
  }

  /** Offset of entry `i`. */
  offsetAt(i: number): number {
    return this.baseOffset + this.relOffsets[i]!;
  }

  /** The largest timestamp indexed (the segment's largest), or -1 when empty. */
  get maxTimestamp(): number {
    return this.count === 0 ? -1 : this.timestamps[this.count - 1]!;
  }

  /** The offset of the batch that first reached {@link maxTimestamp}, or -1 when empty. */
  get offsetOfMaxTimestamp(): number {
    return this.count === 0 ? -1 : this.offsetAt(this.count - 1);
  }

  /**
   * Adds (timestamp, offset) if `timestamp` is larger than the last entry's; returns whether it did.
   *
   * @throws IllegalStateError when the offset goes backwards or does not fit in 32 bits.
   */
  maybeAppend(timestamp: number, offset: number): boolean {
    const n = this.count;
    if (n > 0 && timestamp <= this.timestamps[n - 1]!) return false;
    if (timestamp < 0) return false;
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > MAX_U32 || (n > 0 && rel < this.relOffsets[n - 1]!)) {
      throw new IllegalStateError(`Time index entry (${timestamp}, ${offset}) does not fit segment ${this.baseOffset}`);
    }
    if (n === this.timestamps.length) this.grow();
    this.timestamps[n] = timestamp;
    this.relOffsets[n] = rel;
    this.count = n + 1;
    return true;
  }

  /**
   * The offset to start scanning from for the first record with timestamp >= `timestamp`: the offset of the
   * last entry whose timestamp is <= `timestamp`, or the base offset when there is none.
   */
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! <= timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? this.baseOffset : this.offsetAt(found);
  }

  /** Drops every entry whose offset is >= `offset` (used when the log is truncated). */
  truncateToOffset(offset: number): void {
    const rel = offset - this.baseOffset;
    while (this.count > 0 && this.relOffsets[this.count - 1]! >= rel) this.count--;
  }

  /** The entries in `.timeindex` file format. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.count * TIME_INDEX_ENTRY_BYTES);
    for (let i = 0; i < this.count; i++) {
      const p = i * TIME_INDEX_ENTRY_BYTES;
      const ts = this.timestamps[i]!;
      const hi = Math.floor(ts / TWO_32);
      out.writeInt32BE(hi, p);
      out.writeUInt32BE(ts - hi * TWO_32, p + 4);
      out.writeUInt32BE(this.relOffsets[i]!, p + 8);
    }
    return out;
  }

  /** Whether `file` holds exactly these entries. */
  matchesFile(file: string): boolean {
    try {
      return fs.readFileSync(file).equals(this.toBuffer());
    } catch {
      return false;
    }
  }

  private grow(): void {
    const ts = new Float64Array(this.timestamps.length * 2);
    ts.set(this.timestamps);
    const rel = new Uint32Array(this.relOffsets.length * 2);
    rel.set(this.relOffsets);
    this.timestamps = ts;
    this.relOffsets = rel;
  }
}
