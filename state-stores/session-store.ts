/**
 * Typed session stores: what session-windowed aggregations and interactive queries use.
 */
import type { StateStore } from '../core/processor/state-store.ts';
import type { Windowed } from './windowed.ts';

/** A session (key with its `[start, end]` window) and its aggregate. */
export interface SessionKeyValue<K, V> {
  readonly key: Windowed<K>;
  readonly value: V;
}

/** Called when a caching session store flushes an entry. */
export type SessionFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/** The read-only view of a session store, for interactive queries. */
export interface ReadOnlySessionStore<K, V> {
  /** Sessions of `key` that end at or after `earliestSessionEnd` and start at or before `latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number, backward?: boolean): Iterable<SessionKeyValue<K, V>>;
  /** The aggregate of exactly this session, or undefined. */
  fetchSession(key: K, start: number, end: number): V | undefined;
  /** Every session of `key`. */
  fetch(key: K): Iterable<SessionKeyValue<K, V>>;
  /** Every live session. */
  all(): Iterable<SessionKeyValue<K, V>>;
}

/**
 * A typed session store.
 *
 * @example
 * const sessions = context.getStateStore<SessionStore<string, number>>('clicks-sessions');
 * for (const s of sessions.findSessions('user', t - gap, t + gap)) sessions.remove(s.key);
 */
export interface SessionStore<K, V> extends ReadOnlySessionStore<K, V>, StateStore {
  readonly retentionMs: number;
  /** Writes a session's aggregate; null removes it. */
  put(sessionKey: Windowed<K>, aggregate: V | null): void;
  /** Removes a session. */
  remove(sessionKey: Windowed<K>): void;
  /**
   * The sessions of every key whose end is in `[earliestSessionEnd, latestSessionEnd]` (Kafka's
   * `findSessions(earliestSessionEndTime, latestSessionEndTime)`), in store order (not by end).
   */
  findSessionsByEndTime(earliestSessionEnd: number, latestSessionEnd: number): Iterable<SessionKeyValue<K, V>>;
  /** Registers the flush listener of a caching layer; returns whether the store caches. */
  setFlushListener(listener: SessionFlushListener<K, V>, sendOldValues?: boolean): boolean;
}
