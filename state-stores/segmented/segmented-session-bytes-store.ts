/**
 * The inner session store over segments ({@link SegmentedBytesStore} with the session key schema,
 * segmented by session end). {@link LmdbSessionBytesStore} and {@link InMemorySessionBytesStore} only
 * choose the segment storage.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { SessionBytesEntry, SessionBytesStore } from '../session-bytes-store.ts';
import {
  MAX_TIME,
  SESSION_KEY_SUFFIX,
  sessionStoreKeyEnd,
  sessionStoreKeyIs,
  sessionStoreKeyKey,
  sessionStoreKeyStart,
  toSessionStoreKey,
} from '../session-key-schema.ts';
import { storeNotOpen } from '../store-errors.ts';
import { defaultSegmentInterval, SegmentedBytesStore } from './segmented-bytes-store.ts';
import type { Segments } from './segments.ts';

/** Options of the inner session stores. */
export interface SessionBytesStoreOptions {
  readonly retentionMs: number;
  /** Default `max(retention / 2, 60 s)`. */
  readonly segmentIntervalMs?: number;
}

export abstract class SegmentedSessionBytesStore implements SessionBytesStore {
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  protected readonly segmented: SegmentedBytesStore;
  private opened = false;

  constructor(
    readonly name: string,
    segments: Segments,
    options: SessionBytesStoreOptions,
  ) {
    this.retentionMs = options.retentionMs;
    this.segmentIntervalMs = options.segmentIntervalMs ?? defaultSegmentInterval(options.retentionMs);
    this.segmented = new SegmentedBytesStore(name, segments, this.retentionMs, this.segmentIntervalMs, sessionStoreKeyEnd);
  }

  get persistent(): boolean {
    return this.segmented.persistent;
  }

  init(context: StateStoreContext, root: StateStore): void {
    this.segmented.open(context);
    this.opened = true;
    context.register(root, (records) => this.segmented.restoreBatch(records));
  }

  /** The largest session end put (-1 before any). */
  observedStreamTime(): number {
    return this.segmented.observedStreamTime();
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    this.check();
    this.segmented.put(toSessionStoreKey(key, start, end), value, end);
  }

  remove(key: Buffer, start: number, end: number): void {
    this.put(key, start, end, null);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    this.check();
    return this.segmented.get(toSessionStoreKey(key, start, end), end);
  }

  *findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number, backward = false): Generator<SessionBytesEntry> {
    this.check();
    const from = toSessionStoreKey(key, 0, Math.max(0, earliestSessionEnd));
    const to = toSessionStoreKey(key, MAX_TIME, MAX_TIME);
    for (const [storeKey, value] of this.segmented.fetch(from, to, earliestSessionEnd, MAX_TIME, backward)) {
      if (!sessionStoreKeyIs(storeKey, key)) continue;
      const entry = this.entry(storeKey, value, earliestSessionEnd, latestSessionStart);
      if (entry !== null) yield entry;
    }
  }

  *findSessionsInKeyRange(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEnd: number,
    latestSessionStart: number,
    backward = false,
  ): Generator<SessionBytesEntry> {
    this.check();
    const from = keyFrom === null ? null : toSessionStoreKey(keyFrom, 0, Math.max(0, earliestSessionEnd));
    const to = keyTo === null ? null : toSessionStoreKey(keyTo, MAX_TIME, MAX_TIME);
    for (const [storeKey, value] of this.segmented.fetch(from, to, earliestSessionEnd, MAX_TIME, backward)) {
      if (storeKey.length < SESSION_KEY_SUFFIX) continue;
      const k = sessionStoreKeyKey(storeKey);
      if (keyFrom !== null && Buffer.compare(k, keyFrom) < 0) continue;
      if (keyTo !== null && Buffer.compare(k, keyTo) > 0) continue;
      const entry = this.entry(storeKey, value, earliestSessionEnd, latestSessionStart);
      if (entry !== null) yield entry;
    }
  }

  all(backward = false): Iterable<SessionBytesEntry> {
    return this.findSessionsInKeyRange(null, null, 0, MAX_TIME, backward);
  }

  approximateNumEntries(): number {
    return this.segmented.approximateCount();
  }

  flush(): void {
    this.check();
  }

  checkpoint(changelogOffset: number): void {
    this.check();
    this.segmented.checkpoint(changelogOffset);
  }

  restoredOffset(): number | null {
    return this.segmented.restoredOffset();
  }

  wipe(): void {
    this.check();
    this.segmented.wipe();
  }

  close(): void {
    if (!this.opened) return;
    this.opened = false;
    this.segmented.close();
  }

  isOpen(): boolean {
    return this.opened;
  }

  private entry(storeKey: Buffer, value: Buffer, earliestEnd: number, latestStart: number): SessionBytesEntry | null {
    const end = sessionStoreKeyEnd(storeKey);
    const start = sessionStoreKeyStart(storeKey);
    if (end < earliestEnd || start > latestStart || end < this.segmented.minLiveTime()) return null;
    return { storeKey, key: sessionStoreKeyKey(storeKey), start, end, value };
  }

  private check(): void {
    if (!this.opened) throw storeNotOpen(this.name);
  }
}
