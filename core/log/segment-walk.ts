/**
 * Walking the batches of a segment file in order, reading it in chunks (whole batches, for CRC checks and
 * record access) or header by header, and checking framing on the way: size, magic, offsets that only go
 * forward, and optionally the CRC. Recovery, index rebuilds, producer-state replay, the cleaner and the
 * timestamp search all walk this way.
 */
import { batchCrcMatches, MAGIC_V2, RECORD_BATCH_OVERHEAD } from './record-batch.ts';
import { readFullySync } from './segment-io.ts';
import { readInt64 } from './int64.ts';

const HEADER = RECORD_BATCH_OVERHEAD;
const WHOLE_CHUNK = 1 << 20;
const HEADER_CHUNK = 4096;

/** Options of {@link walkBatches}. */
export interface SegmentWalkOptions {
  /** Check every batch's CRC (reads whole batches). */
  readonly verifyCrc: boolean;
  /** Hand whole batches to `visit` even without CRC checks (otherwise only the 61 header bytes are read). */
  readonly wholeBatches?: boolean;
  /** The first batch's base offset must be at least this (default: the segment's base offset). */
  readonly minOffset?: number;
  /**
   * Called for each valid batch: `buf` holds it at `position` (whole, or just its header), `filePosition`
   * is where it starts in the file. The buffer is reused: copy what you keep. Return false to stop.
   */
  readonly visit?: (buf: Buffer, position: number, filePosition: number, size: number) => boolean | void;
}

/** What {@link walkBatches} found. */
export interface SegmentWalk {
  /** Byte position after the last valid batch visited. */
  readonly end: number;
  /** Offset after the last valid batch visited (the start bound when none was). */
  readonly nextOffset: number;
  /** Why the walk stopped before the end of the file (torn or corrupt batch at `end`), or null. */
  readonly problem: string | null;
}

/** Makes byte ranges of a file available in one reused buffer. */
class ChunkReader {
  buf: Buffer;
  private start = 0;
  private len = 0;
  constructor(
    private readonly fd: number,
    private readonly file: string,
    size: number,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Makes [pos, pos + n) available; returns its index in `buf`, or -1 if the file ends first. */
  ensure(pos: number, n: number): number {
    if (pos >= this.start && pos + n <= this.start + this.len) return pos - this.start;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    this.start = pos;
    this.len = readFullySync(this.fd, this.buf, 0, this.buf.length, pos, this.file);
    return this.len >= n ? 0 : -1;
  }
}

/**
 * Walks batches of the file `fd` from byte `from` to `fileSize`, checking each one's framing (size, magic,
 * base offset >= `minOffset` and increasing) and, with `verifyCrc`, its CRC; stops at the first bad batch
 * and says why.
 */
export function walkBatches(fd: number, file: string, fileSize: number, from: number, minOffset: number, options: SegmentWalkOptions): SegmentWalk {
  const whole = options.verifyCrc || options.wholeBatches === true;
  const reader = new ChunkReader(fd, file, whole ? Math.min(WHOLE_CHUNK, Math.max(HEADER, fileSize - from)) : HEADER_CHUNK);
  let pos = from;
  let next = minOffset;
  const end = fileSize;
  const stop = (problem: string): SegmentWalk => ({ end: pos, nextOffset: next, problem: `${problem} at byte ${pos}` });
  while (pos < end) {
    if (end - pos < HEADER) return stop(`torn batch header (${end - pos} bytes left)`);
    let at = reader.ensure(pos, HEADER);
    if (at < 0) return stop('file shorter than expected');
    let buf = reader.buf;
    const size = 12 + buf.readInt32BE(at + 8);
    if (size < HEADER) return stop(`impossible batch size ${size}`);
    if (pos + size > end) return stop(`torn batch (${size} bytes declared, ${end - pos} left)`);
    if (buf[at + 16] !== MAGIC_V2) return stop(`bad magic ${buf[at + 16]}`);
    const base = readInt64(buf, at);
    const lastDelta = buf.readInt32BE(at + 23);
    if (base < next || lastDelta < 0) return stop(`batch offsets ${base}+${lastDelta} go backwards (expected >= ${next})`);
    if (whole) {
      at = reader.ensure(pos, size);
      if (at < 0) return stop('file shorter than expected');
      buf = reader.buf;
      if (options.verifyCrc && !batchCrcMatches(buf.subarray(0, at + size), at)) return stop('CRC-32C mismatch');
    }
    if (options.visit && options.visit(buf, at, pos, size) === false) {
      next = base + lastDelta + 1;
      pos += size;
      return { end: pos, nextOffset: next, problem: null };
    }
    next = base + lastDelta + 1;
    pos += size;
  }
  return { end: pos, nextOffset: next, problem: null };
}
