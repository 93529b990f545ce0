/**
 * Typed key-value stores: what processors and interactive queries use. Only the metered (outer) layer
 * is typed; it serializes with the store's serdes and works on a {@link KeyValueBytesStore} below.
 */
import type { StateStore } from '../core/processor/state-store.ts';
import type { Serializer } from '../core/serde/serde.ts';
import type { ValueAndTimestamp } from './value-and-timestamp.ts';

/** A typed entry returned by ranges and scans. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/**
 * The read-only view of a key-value store, for interactive queries. Ranges are inclusive and run in
 * the byte order of the serialized keys (for string keys: UTF-8 byte order; for int32/int64 keys:
 * numeric order of non-negative numbers).
 */
export interface ReadOnlyKeyValueStore<K, V> {
  /** The value of `key`, or undefined. */
  get(key: K): V | undefined;
  /** Entries with `from <= key <= to` (a null bound is open), ascending. */
  range(from: K | null, to: K | null): Iterable<KeyValue<K, V>>;
  /** Entries with `from <= key <= to`, descending. */
  reverseRange(from: K | null, to: K | null): Iterable<KeyValue<K, V>>;
  /** Entries whose serialized key starts with the serialized `prefix`. */
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): Iterable<KeyValue<K, V>>;
  /** Every entry, ascending. */
  all(): Iterable<KeyValue<K, V>>;
  /** Every entry, descending. */
  reverseAll(): Iterable<KeyValue<K, V>>;
  /** An estimate of the number of entries. */
  approximateNumEntries(): number;
}

/** Called when a caching store flushes an entry: the latest value of a key and the one it replaces. */
export type CacheFlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/**
 * A typed key-value store.
 *
 * @example
 * const counts = context.getStateStore<KeyValueStore<string, number>>('counts');
 * counts.put(word, (counts.get(word) ?? 0) + 1);
 */
export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V>, StateStore {
  /** Writes `value` for `key`; null deletes. */
  put(key: K, value: V | null): void;
  /** Writes `value` only when `key` has no value; returns the existing value, or undefined when written. */
  putIfAbsent(key: K, value: V): V | undefined;
  /** Writes several entries. */
  putAll(entries: Iterable<KeyValue<K, V | null>>): void;
  /** Deletes `key`; returns the value it had, or undefined. */
  delete(key: K): V | undefined;
  /**
   * Registers the listener a caching layer calls for every entry it flushes (on commit and on
   * eviction), with the previous value when `sendOldValues`.
   * @returns true when the store caches (then the listener does the forwarding); false otherwise
   */
  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues?: boolean): boolean;
}

/** A key-value store whose values carry the timestamp of their last update: the store of every KTable. */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

/** The read-only view of a timestamped key-value store. */
export type ReadOnlyTimestampedKeyValueStore<K, V> = ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>;
