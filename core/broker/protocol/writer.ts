/**
 * A growable big-endian writer for Kafka protocol frames: integers, classic and compact strings, bytes
 * and unsigned varints. Out-of-range numbers and over-long classic strings throw a ProtocolError.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';

const TWO_32 = 0x1_0000_0000;
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Writes into a buffer that doubles when full; {@link finish} returns the written bytes. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
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

  /** The bytes written so far (a view of the internal buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
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
    this.raw(b);
  }

  /** Compact bytes: unsigned varint length + 1, 0 = null. */
  compactBytes(b: Uint8Array | null): void {
    if (b === null) {
      this.uvarint(0);
      return;
    }
    if (!(b instanceof Uint8Array)) throw new ProtocolError(`expected a Buffer, got ${typeof b}`);
    this.uvarint(b.length + 1);
    this.raw(b);
  }
}
