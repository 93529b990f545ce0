/**
 * The bytes-level session store contract: one value per (record key, session start, session end),
 * kept for the store's retention after the session end.
 */
import type { StateStore } from '../core/processor/state-store.ts';

/** One session entry: store key (schema bytes), record key (a view), start, end, value. */
export interface SessionBytesEntry {
  readonly storeKey: Buffer;
  readonly key: Buffer;
  readonly start: number;
  readonly end: number;
  readonly value: Buffer;
}

/** A session store over bytes. */
export interface SessionBytesStore extends StateStore {
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  /**
   * Sessions of `key` with `end >= earliestSessionEnd` and `start <= latestSessionStart`: the sessions a
   * record at time t may merge with are `findSessions(key, t - gap, t + gap)`. Ordered by end, then start.
   */
  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number, backward?: boolean): Iterable<SessionBytesEntry>;
  /** The same over the keys in `[keyFrom, keyTo]` (null: open). */
  findSessionsInKeyRange(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEnd: number,
    latestSessionStart: number,
    backward?: boolean,
  ): Iterable<SessionBytesEntry>;
  /** The value of exactly this session, or undefined. */
  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined;
  /** Writes the aggregate of a session; null removes it. Sessions ending before `stream time - retention` are dropped. */
  put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): void;
  /** Removes a session. */
  remove(key: Buffer, start: number, end: number, timestamp?: number): void;
  /** Every live session. */
  all(backward?: boolean): Iterable<SessionBytesEntry>;
}
