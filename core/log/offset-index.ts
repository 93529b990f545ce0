/**
 * A segment's sparse offset index (Kafka's `OffsetIndex`): entries map an offset to the byte position of
 * the batch that starts there, one entry every `index.interval.bytes` of log. On disk (`.index`) each entry
 * is 8 bytes, big-endian: relative offset (u32, offset - segment base offset) and position (u32).
 *
 * The entries live in memory; the file is written whole when the segment is closed (rolled or the log
 * closed) and rebuilt from the log when missing or inconsistent, so appends never touch it.
 */
import fs from 'node:fs';
import { IllegalStateError, StorageError } from '../errors/log-errors.ts';

/** Bytes per entry in a `.index` file. */
export const OFFSET_INDEX_ENTRY_BYTES = 8;

const MAX_U32 = 0xffff_ffff;

/** The result of {@link OffsetIndex.load}: the index, or why the file could not be used. */
export interface OffsetIndexLoad {
  readonly index: OffsetIndex | null;
  /** Why the file is unusable (missing, torn, out of order, past the log); null when `index` is set. */
  readonly problem: string | null;
}

/**
 * Sparse offset -> position index of one segment.
 *
 * @example
 * const index = new OffsetIndex(0);
 * index.append(100, 4096);
 * index.lookup(150); // 4096: start scanning batch headers there
 */
export class OffsetIndex {
  /** The segment's base offset; entries store offsets relative to it. */
  readonly baseOffset: number;
  private relOffsets: Uint32Array;
  private positions: Uint32Array;
  private count = 0;

  constructor(baseOffset: number, capacity = 16) {
    this.baseOffset = baseOffset;
    this.relOffsets = new Uint32Array(capacity);
    this.positions = new Uint32Array(capacity);
  }

  /**
   * Reads a `.index` file and checks it against the log: whole entries, strictly increasing offsets and
   * positions, every position inside the log file.
   *
   * @param logSize size of the segment's `.log` file in bytes.
   */
  static load(file: string, baseOffset: number, logSize: number): OffsetIndexLoad {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { index: null, problem: 'missing' };
      throw new StorageError(`Cannot read offset index ${file}: ${(cause as Error).message}`, { cause });
    }
    if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
      return { index: null, problem: `size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_BYTES}` };
    }
    const n = bytes.length / OFFSET_INDEX_ENTRY_BYTES;
    const index = new OffsetIndex(baseOffset, Math.max(16, n));
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < n; i++) {
      const rel = bytes.readUInt32BE(i * 8);
      const pos = bytes.readUInt32BE(i * 8 + 4);
      if (rel <= prevRel || pos <= prevPos) return { index: null, problem: `entry ${i} is out of order` };
      if (pos >= logSize) return { index: null, problem: `entry ${i} points at byte ${pos}, past the log (${logSize} bytes)` };
      index.relOffsets[i] = rel;
      index.positions[i] = pos;
      prevRel = rel;
      prevPos = pos;
    }
    index.count = n;
    return { index, problem: null };
  }

  /** Number of entries. */
  get entries(): number {
    return this.count;
  }

  /** Offset of entry `i`. */
  offsetAt(i: number): number {
    return this.baseOffset + this.relOffsets[i]!;
  }

  /** Byte position of entry `i`. */
  positionAt(i: number): number {
    return this.positions[i]!;
  }

  /**
   * Adds an entry; offsets and positions must increase.
   *
   * @throws IllegalStateError when the entry is out of order or does not fit in 32 bits.
   */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    const n = this.count;
    if (rel < 0 || rel > MAX_U32 || position > MAX_U32) {
      throw new IllegalStateError(`Offset index entry (${offset}, ${position}) does not fit segment ${this.baseOffset}`);
    }
    if (n > 0 && (rel <= this.relOffsets[n - 1]! || position <= this.positions[n - 1]!)) {
      throw new IllegalStateError(
        `Offset index entry (${offset}, ${position}) is not after (${this.offsetAt(n - 1)}, ${this.positionAt(n - 1)})`,
      );
    }
    if (n === this.relOffsets.length) this.grow();
    this.relOffsets[n] = rel;
    this.positions[n] = position;
    this.count = n + 1;
  }

  /** Byte position of the last entry whose offset is <= `offset`, or 0 when there is none. */
  lookup(offset: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : this.positions[found]!;
  }

  /** Byte position of the last entry, or 0 when empty. */
  get lastPosition(): number {
    return this.count === 0 ? 0 : this.positions[this.count - 1]!;
  }

  /** Drops every entry at or after byte `position` (used when the log is truncated). */
  truncateToPosition(position: number): void {
    while (this.count > 0 && this.positions[this.count - 1]! >= position) this.count--;
  }

  /** The entries in `.index` file format. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.count * OFFSET_INDEX_ENTRY_BYTES);
    for (let i = 0; i < this.count; i++) {
      out.writeUInt32BE(this.relOffsets[i]!, i * 8);
      out.writeUInt32BE(this.positions[i]!, i * 8 + 4);
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
    const rel = new Uint32Array(this.relOffsets.length * 2);
    rel.set(this.relOffsets);
    const pos = new Uint32Array(this.positions.length * 2);
    pos.set(this.positions);
    this.relOffsets = rel;
    this.positions = pos;
  }
}

/**
 * Writes `data` to `file` (replacing its content) and fsyncs it when `sync` is set.
 *
 * @throws StorageError naming the file.
 */
export function writeIndexFile(file: string, data: Buffer, sync: boolean): void {
  let fd = -1;
  try {
    fd = fs.openSync(file, 'w');
    let written = 0;
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, written);
    if (sync) fs.fsyncSync(fd);
  } catch (cause) {
    throw new StorageError(`Cannot write index ${file}: ${(cause as Error).message}`, { cause });
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
