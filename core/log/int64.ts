/**
 * Big-endian signed 64-bit integers as JS numbers (exact up to 2^53: offsets, producer ids and
 * timestamps fit), for the log's own binary layouts (snapshots, indexes, state records).
 */

const TWO_32 = 0x1_0000_0000;

/** Writes `value` at `pos`; returns the position after it. */
export function writeInt64(buf: Buffer, pos: number, value: number): number {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4);
  return pos + 8;
}

/** Reads the int64 at `pos`. */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}
