/**
 * Zig-zag variable-length integers as used inside Kafka records (protobuf style), for values up to
 * +-2^52 held in JavaScript numbers. Small values (the common case: lengths, deltas) take an int32 fast path.
 */

/** Bytes that {@link writeVarint} needs for `value`. */
export function sizeOfVarint(value: number): number {
  let u = value >= 0 ? value * 2 : -value * 2 - 1;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  let n = 4;
  u = Math.floor(u / 0x10000000);
  while (u >= 1) {
    n++;
    u = Math.floor(u / 0x80);
  }
  return n;
}

/** Writes `value` zig-zag encoded at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) {
    let u = ((value << 1) ^ (value >> 31)) >>> 0;
    while (u >= 0x80) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[pos++] = u;
    return pos;
  }
  let u = value >= 0 ? value * 2 : -value * 2 - 1;
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  buf[pos++] = u;
  return pos;
}

/**
 * A cursor reading zig-zag varints. One instance is reused across a whole batch decode, so reading
 * allocates nothing.
 */
export class VarintReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;

  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads one zig-zag varint; returns NaN if the bytes run out or the varint is longer than 8 bytes. */
  readVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) return NaN;
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    let u = b & 0x7f;
    let shift = 7;
    for (;;) {
      if (pos >= this.end) return NaN;
      b = buf[pos++]!;
      if (shift < 28) {
        u |= (b & 0x7f) << shift;
      } else {
        u += (b & 0x7f) * 2 ** shift;
      }
      if (b < 0x80) break;
      shift += 7;
      if (shift > 56) return NaN;
    }
    this.pos = pos;
    if (shift < 28) {
      u >>>= 0;
      return (u >>> 1) ^ -(u & 1);
    }
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
}
