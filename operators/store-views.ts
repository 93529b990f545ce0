/**
 * The typed store shapes the stateful processors use, written structurally so the processors depend only
 * on what they call. The metered stores of `state-stores/` satisfy them (`TimestampedKeyValueStore`,
 * `WindowStore`, `SessionStore`); so does any test double.
 */
import type { StateStore } from '../core/processor/state-store.ts';

/** A value with the timestamp of the record that last changed it (Kafka's `ValueAndTimestamp`). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** A window: `[start, end)` for time windows, `[start, end]` for sliding and session windows. */
export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

/** A key and the window it was aggregated in (Kafka's `Windowed<K>`). */
export interface Windowed<K> {
  readonly key: K;
  readonly window: WindowBounds;
}

/** A timestamped key-value store (what KStream/KTable aggregations and table sources materialize). */
export interface TimestampedKeyValueStoreView<K, V> extends StateStore {
  get(key: K): ValueAndTimestamp<V> | undefined;
  put(key: K, value: ValueAndTimestamp<V> | null): void;
}

/** A window store of timestamped aggregates. */
export interface WindowStoreView<K, V> extends StateStore {
  fetch(key: K, windowStart: number): V | undefined;
  put(key: K, value: V | null, windowStart: number): void;
  /** Windows of `key` whose start is in `[timeFrom, timeTo]`, by start time. */
  fetchRange(key: K, timeFrom: number, timeTo: number, backward?: boolean): Iterable<{ windowStart: number; value: V }>;
  /** Windows of every key whose start is in `[timeFrom, timeTo]`. */
  fetchAll(timeFrom: number, timeTo: number): Iterable<{ key: Windowed<K>; value: V }>;
}

/** A session store. */
export interface SessionStoreView<K, V> extends StateStore {
  /** Sessions of `key` that end at or after `earliestSessionEnd` and start at or before `latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): Iterable<{ key: Windowed<K>; value: V }>;
  put(sessionKey: Windowed<K>, aggregate: V | null): void;
  remove(sessionKey: Windowed<K>): void;
  /** The aggregate of exactly this session, or undefined. */
  fetchSession(key: K, start: number, end: number): V | undefined;
  /** Sessions of every key ending in `[earliestSessionEnd, latestSessionEnd]`, in store order. */
  findSessionsByEndTime(earliestSessionEnd: number, latestSessionEnd: number): Iterable<{ key: Windowed<K>; value: V }>;
}

/** The cache flush listener of a caching store: the latest value of a key and the one it replaced. */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/** A store that may cache writes and report them on flush. */
export interface FlushListenable<K, V> {
  /** Registers the listener; returns whether the store caches (only then does it call the listener). */
  setFlushListener(listener: FlushListener<K, V>, sendOldValues: boolean): boolean;
}
