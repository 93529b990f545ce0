/**
 * The byte layout of window store keys, Kafka Streams' `WindowKeySchema`:
 *
 *   [record key bytes][window start: 8 bytes big-endian][sequence number: 4 bytes big-endian]
 *
 * Ordered by key, then by window start within a key; the sequence number tells apart duplicates of the
 * same key and window (stores that retain duplicates, for stream-stream joins) and is 0 otherwise.
 * The changelog of a window store uses these same bytes as record keys.
 */
import { readUint64BE, writeUint64BE } from './bytes.ts';

/** Bytes after the record key: start (8) and sequence number (4). */
export const WINDOW_KEY_SUFFIX = 12;

/** The store key of `key` in the window starting at `windowStart`. */
export function toWindowStoreKey(key: Buffer, windowStart: number, seq: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + WINDOW_KEY_SUFFIX);
  key.copy(out, 0);
  writeUint64BE(out, windowStart, key.length);
  out.writeUInt32BE(seq >>> 0, key.length + 8);
  return out;
}

/** The record key bytes of a store key (a view). */
export function windowStoreKeyKey(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - WINDOW_KEY_SUFFIX);
}

/** The window start of a store key. */
export function windowStoreKeyStart(storeKey: Buffer): number {
  return readUint64BE(storeKey, storeKey.length - WINDOW_KEY_SUFFIX);
}

/** The sequence number of a store key. */
export function windowStoreKeySeq(storeKey: Buffer): number {
  return storeKey.readUInt32BE(storeKey.length - 4);
}

/** Whether a store key belongs to record key `key` (same length and bytes). */
export function windowStoreKeyIs(storeKey: Buffer, key: Buffer): boolean {
  return storeKey.length === key.length + WINDOW_KEY_SUFFIX && storeKey.compare(key, 0, key.length, 0, key.length) === 0;
}

/** The smallest store key of `key` at `windowStart`. */
export function windowStoreKeyLower(key: Buffer, windowStart: number): Buffer {
  return toWindowStoreKey(key, windowStart, 0);
}

/** The largest store key of `key` at `windowStart`. */
export function windowStoreKeyUpper(key: Buffer, windowStart: number): Buffer {
  return toWindowStoreKey(key, windowStart, 0xffffffff);
}
