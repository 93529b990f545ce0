/**
 * A bounds-checked cursor over a Kafka protocol frame. Every read checks the bytes left first and throws
 * a ProtocolError naming the byte position, so a truncated or lying frame can never make the broker read
 * past the buffer (no RangeError, no out-of-bounds view). Bytes are returned as views, not copies.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';

const TWO_32 = 0x1_0000_0000;

/** Reads big-endian integers, Kafka strings, bytes, arrays and unsigned varints from `buf[pos, end)`. */
export class Reader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** A ProtocolError at byte `position` (not thrown: callers write `throw r.fault(...)`). */
  fault(reason: string, position: number): ProtocolError {
    return new ProtocolError(reason, { position });
  }

  /** Throws unless `n` more bytes are available; `start` is the position reported. */
  need(n: number, start = this.pos): void {
    if (n > this.end - this.pos) {
      throw this.fault(`needs ${n} bytes, ${Math.max(0, this.end - this.pos)} left`, start);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a number: exact for |v| <= 2^53 (offsets, timestamps, producer ids). */
  int64(): number {
    this.need(8);
    const v = this.buf.readInt32BE(this.pos) * TWO_32 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned varint of at most 5 bytes (Kafka's readUnsignedVarint). */
  uvarint(): number {
    const start = this.pos;
    const buf = this.buf;
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw this.fault('truncated unsigned varint', start);
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) return value;
      multiplier *= 128;
    }
    throw this.fault('unsigned varint longer than 5 bytes', start);
  }

  uuid(): string {
    this.need(16);
    const hex = this.buf.toString('hex', this.pos, this.pos + 16);
    this.pos += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Classic string: int16 length, -1 = null. */
  string(): string | null {
    const start = this.pos;
    const n = this.int16();
    if (n < 0) {
      if (n === -1) return null;
      throw this.fault(`string length ${n}`, start);
    }
    this.need(n, start);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Compact string: unsigned varint length + 1, 0 = null. */
  compactString(): string | null {
    const start = this.pos;
    const n = this.uvarint();
    if (n === 0) return null;
    this.need(n - 1, start);
    const s = this.buf.toString('utf8', this.pos, this.pos + n - 1);
    this.pos += n - 1;
    return s;
  }

  /** Classic bytes: int32 length, -1 = null; a view into the frame. */
  bytes(): Buffer | null {
    const start = this.pos;
    const n = this.int32();
    if (n < 0) {
      if (n === -1) return null;
      throw this.fault(`bytes length ${n}`, start);
    }
    this.need(n, start);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Compact bytes: unsigned varint length + 1, 0 = null; a view into the frame. */
  compactBytes(): Buffer | null {
    const start = this.pos;
    const n = this.uvarint();
    if (n === 0) return null;
    this.need(n - 1, start);
    const b = this.buf.subarray(this.pos, this.pos + n - 1);
    this.pos += n - 1;
    return b;
  }

  /**
   * Classic array length: int32, -1 = null (returned as -1). A count larger than the bytes left is
   * refused (every element takes at least one byte), so garbage cannot allocate huge arrays.
   */
  arrayLength(): number {
    const start = this.pos;
    const n = this.int32();
    if (n < -1) throw this.fault(`array length ${n}`, start);
    if (n > this.end - this.pos) throw this.fault(`array of ${n} elements in ${this.end - this.pos} bytes`, start);
    return n;
  }

  /** Compact array length: unsigned varint length + 1, 0 = null (returned as -1). */
  compactArrayLength(): number {
    const start = this.pos;
    const n = this.uvarint() - 1;
    if (n > this.end - this.pos) throw this.fault(`array of ${n} elements in ${this.end - this.pos} bytes`, start);
    return n;
  }
}
