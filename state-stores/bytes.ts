/**
 * Byte helpers shared by the stores: byte-order comparison of keys, prefix bounds, and 64-bit
 * big-endian timestamps written as two 32-bit halves (no BigInt on the per-record path).
 */

/**
 * Byte-order comparison of two keys (memcmp, shorter first on a common prefix). Short keys are compared
 * in JavaScript: a native `Buffer.compare` call costs more than the loop for keys of a few dozen bytes.
 */
export function compareBytes(a: Buffer, b: Buffer): number {
  const n = a.length < b.length ? a.length : b.length;
  if (n > 48) return Buffer.compare(a, b);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or null when there is none
 * (the prefix is empty or all 0xff): the exclusive upper bound of a prefix scan.
 */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  let i = prefix.length - 1;
  while (i >= 0 && prefix[i] === 0xff) i--;
  if (i < 0) return null;
  const out = Buffer.allocUnsafe(i + 1);
  prefix.copy(out, 0, 0, i + 1);
  out[i] = out[i]! + 1;
  return out;
}

/** Whether `key` starts with `prefix`. */
export function hasPrefix(key: Buffer, prefix: Buffer): boolean {
  if (key.length < prefix.length) return false;
  return key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

const TWO_32 = 4294967296;

/**
 * Writes a non-negative integer below 2^53 (a timestamp or an offset) as 8 bytes big-endian, so that
 * byte order equals numeric order. Negative values are clamped to 0.
 */
export function writeUint64BE(buf: Buffer, value: number, offset: number): void {
  const v = value < 0 ? 0 : value;
  const hi = Math.floor(v / TWO_32);
  buf.writeUInt32BE(hi >>> 0, offset);
  buf.writeUInt32BE(v - hi * TWO_32, offset + 4);
}

/** Reads what {@link writeUint64BE} wrote. */
export function readUint64BE(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** A zero-length buffer, shared. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);
