/**
 * The byte layout of session store keys, Kafka Streams' `SessionKeySchema`:
 *
 *   [record key bytes][session end: 8 bytes big-endian][session start: 8 bytes big-endian]
 *
 * Ordered by key, then by end, then by start. Session stores are segmented by session end. The
 * changelog of a session store uses these same bytes as record keys.
 */
import { readUint64BE, writeUint64BE } from './bytes.ts';

/** Bytes after the record key: end (8) and start (8). */
export const SESSION_KEY_SUFFIX = 16;

/** The largest time that fits the layout (2^53 - 1). */
export const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** The store key of a session of `key` from `start` to `end` (inclusive). */
export function toSessionStoreKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SESSION_KEY_SUFFIX);
  key.copy(out, 0);
  writeUint64BE(out, end, key.length);
  writeUint64BE(out, start, key.length + 8);
  return out;
}

/** The record key bytes of a store key (a view). */
export function sessionStoreKeyKey(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SESSION_KEY_SUFFIX);
}

/** The session end of a store key. */
export function sessionStoreKeyEnd(storeKey: Buffer): number {
  return readUint64BE(storeKey, storeKey.length - SESSION_KEY_SUFFIX);
}

/** The session start of a store key. */
export function sessionStoreKeyStart(storeKey: Buffer): number {
  return readUint64BE(storeKey, storeKey.length - 8);
}

/** Whether a store key belongs to record key `key`. */
export function sessionStoreKeyIs(storeKey: Buffer, key: Buffer): boolean {
  return storeKey.length === key.length + SESSION_KEY_SUFFIX && storeKey.compare(key, 0, key.length, 0, key.length) === 0;
}
