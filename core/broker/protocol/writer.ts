/**
 * A growable big-endian writer for Kafka protocol frames: integers, classic and compact strings, bytes
 * and unsigned varints. Out-of-range numbers and over-long classic strings throw a ProtocolError.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';

const TWO_32 = 0x1_0000_0000;
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Byte strings at least this long are referenced, not copied, by {@link Writer.attach} in chunked mode. */
export const ATTACH_MIN_BYTES = 4096;

/** Options of {@link Writer}. */
export interface WriterOptions {
  /**
   * Let {@link Writer.attach} keep large byte strings (stored record batches) by reference: the result is
   * then a list of chunks ({@link Writer.finishChunks}) to be written with one vectored write.
   */
  readonly chunked?: boolean;
}

/**
 * Writes into a buffer that doubles when full; {@link finish} returns the written bytes. In chunked mode
 * large byte strings are not copied: {@link finishChunks} returns the written bytes as a list of buffers.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  private readonly chunked: boolean;
  /** Chunks completed so far (chunked mode): views of `buf` and attached byte strings. */
  private chunks: Buffer[] | null = null;
  /** Where the part of `buf` not yet in `chunks` starts. */
  private chunkStart = 0;
  /** Bytes of the attached byte strings. */
  private attachedBytes = 0;

  constructor(initialSize = 256, options?: WriterOptions) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
    this.chunked = options?.chunked === true;
  }

  /** Bytes written so far, attached byte strings included. */
  get length(): number {
    return this.pos + this.attachedBytes;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * The bytes written so far (a view of the internal buffer).
   * @throws ProtocolError in chunked mode once a byte string was attached (use {@link finishChunks})
   */
  finish(): Buffer {
    if (this.chunks !== null) throw new ProtocolError('a chunked writer with attached bytes is finished with finishChunks()');
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written so far as a list of buffers (one buffer unless byte strings were attached). */
  finishChunks(): Buffer[] {
    const tail = this.buf.subarray(this.chunkStart, this.pos);
    if (this.chunks === null) return [tail];
    if (tail.length > 0) this.chunks.push(tail);
    return this.chunks;
  }

  int8(v: number): void {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
  }

  int16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  uint16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  /** Overwrites an int32 at an earlier position (frame sizes). */
  int32At(position: number, v: number): void {
    this.buf.writeInt32BE(v, position);
  }

  /** int64 from a number (exact for |v| <= 2^53). */
  int64(v: number): void {
    if (!Number.isInteger(v)) throw new ProtocolError(`int64 value ${v} is not an integer`);
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }

  /** Unsigned varint (0 .. 2^32-1). */
  uvarint(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff) || !Number.isInteger(v)) {
      throw new ProtocolError(`unsigned varint value ${v} out of range`);
    }
    this.ensure(5);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  uuid(v: string): void {
    if (typeof v !== 'string' || !UUID_PATTERN.test(v)) throw new ProtocolError(`uuid ${String(v)} is not 36-char hex`);
    this.ensure(16);
    this.buf.write(v.replace(/-/g, ''), this.pos, 16, 'hex');
    this.pos += 16;
  }

  /**
   * Raw bytes, no length prefix; in chunked mode a byte string of {@link ATTACH_MIN_BYTES} or more is kept
   * by reference (the caller must not change it until the chunks are written).
   */
  attach(bytes: Uint8Array): void {
    if (!this.chunked || bytes.length < ATTACH_MIN_BYTES) {
      this.raw(bytes);
      return;
    }
    const chunks = (this.chunks ??= []);
    if (this.pos > this.chunkStart) chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    chunks.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    this.attachedBytes += bytes.length;
    this.chunkStart = this.pos;
  }

  /** Raw bytes, no length prefix. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Classic string: int16 length, -1 = null. */
  string(s: string | null): void {
    if (s === null) {
      this.int16(-1);
      return;
    }
    if (typeof s !== 'string') throw new ProtocolError(`expected a string, got ${typeof s}`);
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new ProtocolError(`string of ${n} bytes exceeds 32767`);
    this.ensure(2 + n);
    this.pos = this.buf.writeInt16BE(n, this.pos);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** Compact string: unsigned varint length + 1, 0 = null. */
  compactString(s: string | null): void {
    if (s === null) {
      this.uvarint(0);
      return;
    }
    if (typeof s !== 'string') throw new ProtocolError(`expected a string, got ${typeof s}`);
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n + 1);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** Classic bytes: int32 length, -1 = null. */
  bytes(b: Uint8Array | null): void {
    if (b === null) {
      this.int32(-1);
      return;
    }
    if (!(b instanceof Uint8Array)) throw new ProtocolError(`expected a Buffer, got ${typeof b}`);
    this.int32(b.length);
    this.attach(b);
  }

  /** Compact bytes: unsigned varint length + 1, 0 = null. */
  compactBytes(b: Uint8Array | null): void {
    if (b === null) {
      this.uvarint(0);
      return;
    }
    if (!(b instanceof Uint8Array)) throw new ProtocolError(`expected a Buffer, got ${typeof b}`);
    this.uvarint(b.length + 1);
    this.attach(b);
  }
}
