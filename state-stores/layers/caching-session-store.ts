/**
 * The caching layer of session stores (Kafka Streams' `CachingSessionStore`): writes stay in the named
 * cache, keyed by the session store key `[key][end][start]`, until a flush writes them down and calls
 * the flush listener (store key, new value, old value). Reads merge cache and store in the store's
 * order: segment (by session end) by segment, key order within.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { SessionBytesEntry } from '../session-bytes-store.ts';
import { mergeOverlayBy } from '../merge-sorted.ts';
import type { CacheEntry, NamedCache } from '../store-cache.ts';
import {
  MAX_TIME,
  sessionStoreKeyEnd,
  sessionStoreKeyIs,
  sessionStoreKeyKey,
  sessionStoreKeyStart,
  toSessionStoreKey,
} from '../session-key-schema.ts';
import { cacheNamespace, cacheOf, type BytesFlushListener } from './caching-key-value-store.ts';
import { WrappedSessionBytesStore } from './wrapped-session-bytes-store.ts';
import { storeNotOpen } from '../store-errors.ts';

export class CachingSessionStore extends WrappedSessionBytesStore {
  private cache: NamedCache | null = null;
  private listener: BytesFlushListener | null = null;
  private sendOldValues = false;
  private streamTime = -1;
  private readonly flushEntries = (entries: readonly CacheEntry[]): void => this.writeFlushed(entries);
  private readonly compare = (a: Buffer, b: Buffer): number => {
    const d = Math.floor(sessionStoreKeyEnd(a) / this.segmentIntervalMs) - Math.floor(sessionStoreKeyEnd(b) / this.segmentIntervalMs);
    return d !== 0 ? d : Buffer.compare(a, b);
  };

  override init(context: StateStoreContext, root: StateStore): void {
    super.init(context, root);
    this.cache = cacheOf(context).namedCache(cacheNamespace(context, this.name), this.flushEntries);
  }

  setFlushListener(listener: BytesFlushListener | null, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  private minLive(): number {
    return this.streamTime - this.retentionMs + 1;
  }

  override put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): void {
    const cache = this.open();
    if (end > this.streamTime) this.streamTime = end;
    else if (end < this.minLive()) return;
    cache.put(toSessionStoreKey(key, start, end), value, timestamp ?? end, true);
  }

  override fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    const cache = this.open();
    if (end < this.minLive()) return undefined;
    const e = cache.get(toSessionStoreKey(key, start, end));
    if (e !== undefined) return e.value === null ? undefined : e.value;
    return this.inner.fetchSession(key, start, end);
  }

  override findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number, backward = false): Iterable<SessionBytesEntry> {
    const cache = this.open();
    const overlay = this.cached(cache, key, key, earliestSessionEnd, latestSessionStart, backward);
    return mergeOverlayBy(overlay, this.inner.findSessions(key, earliestSessionEnd, latestSessionStart, backward), backward, storeKeyOf, entryOf, this.compare);
  }

  override findSessionsInKeyRange(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEnd: number,
    latestSessionStart: number,
    backward = false,
  ): Iterable<SessionBytesEntry> {
    const cache = this.open();
    const overlay = this.cached(cache, keyFrom, keyTo, earliestSessionEnd, latestSessionStart, backward);
    const base = this.inner.findSessionsInKeyRange(keyFrom, keyTo, earliestSessionEnd, latestSessionStart, backward);
    return mergeOverlayBy(overlay, base, backward, storeKeyOf, entryOf, this.compare);
  }

  override all(backward = false): Iterable<SessionBytesEntry> {
    return this.findSessionsInKeyRange(null, null, 0, MAX_TIME, backward);
  }

  override flush(): void {
    this.open().flush();
    this.inner.flush();
  }

  override wipe(): void {
    this.cache?.clear();
    this.streamTime = -1;
    this.inner.wipe?.();
  }

  override close(): void {
    this.cache?.close();
    this.cache = null;
    this.inner.close();
  }

  /** Cached sessions matching the query, in the store's order (segment, then store key). */
  private cached(
    cache: NamedCache,
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestEnd: number,
    latestStart: number,
    backward: boolean,
  ): [Buffer, Buffer | null][] {
    const single = keyFrom !== null && keyTo !== null && keyFrom.equals(keyTo) ? keyFrom : null;
    const from = keyFrom === null ? null : toSessionStoreKey(keyFrom, 0, Math.max(0, earliestEnd));
    const to = keyTo === null ? null : toSessionStoreKey(keyTo, MAX_TIME, MAX_TIME);
    const minLive = this.minLive();
    const out: [Buffer, Buffer | null][] = [];
    for (const e of cache.range(from, to)) {
      const sk = e[0];
      if (single !== null && !sessionStoreKeyIs(sk, single)) continue;
      const end = sessionStoreKeyEnd(sk);
      if (end < earliestEnd || end < minLive || sessionStoreKeyStart(sk) > latestStart) continue;
      if (single === null) {
        const k = sessionStoreKeyKey(sk);
        if (keyFrom !== null && Buffer.compare(k, keyFrom) < 0) continue;
        if (keyTo !== null && Buffer.compare(k, keyTo) > 0) continue;
      }
      out.push(e);
    }
    out.sort((a, b) => this.compare(a[0], b[0]));
    if (backward) out.reverse();
    return out;
  }

  private writeFlushed(entries: readonly CacheEntry[]): void {
    const inner = this.inner;
    const listener = this.listener;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const key = sessionStoreKeyKey(e.key);
      const start = sessionStoreKeyStart(e.key);
      const end = sessionStoreKeyEnd(e.key);
      if (listener === null) {
        inner.put(key, start, end, e.value, e.timestamp);
        continue;
      }
      const old = e.value === null || this.sendOldValues ? (inner.fetchSession(key, start, end) ?? null) : null;
      if (e.value === null && old === null) continue;
      inner.put(key, start, end, e.value, e.timestamp);
      listener(e.key, e.value, this.sendOldValues ? old : null, e.timestamp);
    }
  }

  private open(): NamedCache {
    if (this.cache === null) throw storeNotOpen(this.name);
    return this.cache;
  }
}

function storeKeyOf(e: SessionBytesEntry): Buffer {
  return e.storeKey;
}

function entryOf(storeKey: Buffer, value: Buffer): SessionBytesEntry {
  return { storeKey, key: sessionStoreKeyKey(storeKey), start: sessionStoreKeyStart(storeKey), end: sessionStoreKeyEnd(storeKey), value };
}
