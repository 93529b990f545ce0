/**
 * The bytes-level key-value store contract: what every layer below the metered one implements
 * (caching, change-logging, and the LMDB and in-memory inner stores). Keys and values are serialized
 * bytes; ranges and prefix scans run in the byte order of the keys.
 *
 * Ownership: a store keeps the key and value buffers handed to `put` (no copy); callers must not change
 * them afterwards. Buffers returned by `get` and by iterators belong to the caller.
 */
import type { StateStore } from '../core/processor/state-store.ts';

/** A key-value entry of a bytes store: `[key, value]`. */
export type KeyValueBytesEntry = [Buffer, Buffer];

/** A key-value store over bytes. */
export interface KeyValueBytesStore extends StateStore {
  /** The value of `key`, or undefined. */
  get(key: Buffer): Buffer | undefined;
  /**
   * Writes `value` for `key`; `null` deletes. `timestamp` is the time of the change (the record's
   * timestamp), carried to the changelog and the cache; layers default it when absent.
   */
  put(key: Buffer, value: Buffer | null, timestamp?: number): void;
  /** Writes several entries (a null value deletes). */
  putAll(entries: Iterable<readonly [Buffer, Buffer | null]>, timestamp?: number): void;
  /** Deletes `key`; returns the value it had, or undefined. */
  delete(key: Buffer, timestamp?: number): Buffer | undefined;
  /**
   * Entries with `from <= key <= to` (inclusive; a null bound is open) in byte order, descending when
   * `reverse`. The iteration sees a consistent view of entries it has not reached yet only as far as
   * the store allows; writes during iteration are allowed.
   */
  range(from: Buffer | null, to: Buffer | null, reverse?: boolean): Iterable<KeyValueBytesEntry>;
  /** Entries whose key starts with `prefix`, in byte order. */
  prefixScan(prefix: Buffer): Iterable<KeyValueBytesEntry>;
  /** Every entry in byte order (descending when `reverse`). */
  all(reverse?: boolean): Iterable<KeyValueBytesEntry>;
  /** An estimate of the number of entries (exact for the in-memory store). */
  approximateNumEntries(): number;
}
