/**
 * Typed window stores: what windowed aggregations and interactive queries use.
 */
import type { StateStore } from '../core/processor/state-store.ts';
import type { ValueAndTimestamp } from './value-and-timestamp.ts';
import type { Windowed } from './windowed.ts';

/** A window of a key: its start and value. */
export interface WindowValue<V> {
  readonly windowStart: number;
  readonly value: V;
}

/** A windowed key and its value. */
export interface WindowedKeyValue<K, V> {
  readonly key: Windowed<K>;
  readonly value: V;
}

/** Called when a caching window store flushes an entry. */
export type WindowFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/** The read-only view of a window store, for interactive queries. */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`, or undefined. */
  fetch(key: K, windowStart: number): V | undefined;
  /** Windows of `key` whose start is in `[timeFrom, timeTo]`, by start (descending when `backward`). */
  fetchRange(key: K, timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowValue<V>>;
  /** Windows of the keys in `[keyFrom, keyTo]` whose start is in `[timeFrom, timeTo]`. */
  fetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): Iterable<WindowedKeyValue<K, V>>;
  /** Windows of every key whose start is in `[timeFrom, timeTo]`. */
  fetchAll(timeFrom: number, timeTo: number): Iterable<WindowedKeyValue<K, V>>;
  /** Every live window. */
  all(): Iterable<WindowedKeyValue<K, V>>;
}

/**
 * A typed window store. Window ends are `start + windowSizeMs`.
 *
 * @example
 * const store = context.getStateStore<WindowStore<string, number>>('counts-1m');
 * store.put('k', (store.fetch('k', start) ?? 0) + 1, start);
 */
export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V>, StateStore {
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  /** Writes the value of `key` in the window starting at `windowStart`; null deletes. */
  put(key: K, value: V | null, windowStart: number): void;
  /** Registers the flush listener of a caching layer; returns whether the store caches. */
  setFlushListener(listener: WindowFlushListener<K, V>, sendOldValues?: boolean): boolean;
}

/** A window store whose values carry their last update's timestamp. */
export type TimestampedWindowStore<K, V> = WindowStore<K, ValueAndTimestamp<V>>;
