/**
 * The base of the session bytes layers: delegates everything to the store below.
 */
import { WrappedStateStore } from './wrapped-state-store.ts';
import type { SessionBytesEntry, SessionBytesStore } from '../session-bytes-store.ts';

export abstract class WrappedSessionBytesStore extends WrappedStateStore<SessionBytesStore> implements SessionBytesStore {
  get retentionMs(): number {
    return this.inner.retentionMs;
  }
  get segmentIntervalMs(): number {
    return this.inner.segmentIntervalMs;
  }
  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number, backward?: boolean): Iterable<SessionBytesEntry> {
    return this.inner.findSessions(key, earliestSessionEnd, latestSessionStart, backward);
  }
  findSessionsInKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEnd: number, latestSessionStart: number, backward?: boolean): Iterable<SessionBytesEntry> {
    return this.inner.findSessionsInKeyRange(keyFrom, keyTo, earliestSessionEnd, latestSessionStart, backward);
  }
  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    return this.inner.fetchSession(key, start, end);
  }
  put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): void {
    this.inner.put(key, start, end, value, timestamp);
  }
  remove(key: Buffer, start: number, end: number, timestamp?: number): void {
    this.put(key, start, end, null, timestamp);
  }
  all(backward?: boolean): Iterable<SessionBytesEntry> {
    return this.inner.all(backward);
  }
}
