/**
 * The metered layer of session stores: the only typed layer; serdes, operation counts and latencies,
 * and the typed flush listener of a caching layer below.
 */
import type { SessionBytesEntry, SessionBytesStore } from '../session-bytes-store.ts';
import type { SessionFlushListener, SessionKeyValue, SessionStore } from '../session-store.ts';
import type { Windowed } from '../windowed.ts';
import { MAX_TIME, sessionStoreKeyEnd, sessionStoreKeyKey, sessionStoreKeyStart } from '../session-key-schema.ts';
import { MeteredStore } from './metered-store.ts';
import { storeNotOpen } from '../store-errors.ts';
import type { CachedWindowBytesStore } from './metered-window-store.ts';

export class MeteredSessionStore<K, V> extends MeteredStore<K, V, SessionBytesStore> implements SessionStore<K, V> {


  get retentionMs(): number {
    return this.inner.retentionMs;
  }


  private serializeKey(key: K): Buffer {
    const raw = this.keySerde.serialize(this.topic, key);
    if (raw === null) throw new TypeError(`Store "${this.name}": a key serialized to null`);
    return raw;
  }

  private value(raw: Buffer): V {
    return this.valueSerde.deserialize(this.topic, raw) as V;
  }

  put(sessionKey: Windowed<K>, aggregate: V | null): void {
    const m = this.metrics;
    const t0 = m.start();
    const raw = aggregate === null || aggregate === undefined ? null : this.valueSerde.serialize(this.topic, aggregate);
    this.inner.put(this.serializeKey(sessionKey.key), sessionKey.window.start, sessionKey.window.end, raw);
    m.end(m.put, t0);
  }

  remove(sessionKey: Windowed<K>): void {
    const m = this.metrics;
    const t0 = m.start();
    this.inner.remove(this.serializeKey(sessionKey.key), sessionKey.window.start, sessionKey.window.end);
    m.end(m.counter('remove'), t0);
  }

  fetchSession(key: K, start: number, end: number): V | undefined {
    const m = this.metrics;
    const t0 = m.start();
    const raw = this.inner.fetchSession(this.serializeKey(key), start, end);
    m.end(m.counter('fetch'), t0);
    return raw === undefined ? undefined : this.value(raw);
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number, backward = false): Iterable<SessionKeyValue<K, V>> {
    return this.typed(this.inner.findSessions(this.serializeKey(key), earliestSessionEnd, latestSessionStart, backward), key);
  }

  fetch(key: K): Iterable<SessionKeyValue<K, V>> {
    return this.findSessions(key, 0, MAX_TIME);
  }

  all(): Iterable<SessionKeyValue<K, V>> {
    return this.typed(this.inner.all(false), undefined);
  }

  findSessionsByEndTime(earliestSessionEnd: number, latestSessionEnd: number): Iterable<SessionKeyValue<K, V>> {
    // start <= end, so `start <= latestSessionEnd` keeps every candidate; the end bound is applied below.
    return this.typed(this.inner.findSessionsInKeyRange(null, null, earliestSessionEnd, latestSessionEnd, false), undefined, latestSessionEnd);
  }

  setFlushListener(listener: SessionFlushListener<K, V>, sendOldValues = false): boolean {
    const cached = this.inner as Partial<CachedWindowBytesStore>;
    if (typeof cached.setFlushListener !== 'function') return false;
    cached.setFlushListener((storeKey, newValue, oldValue, timestamp) => {
      const key = this.keySerde.deserialize(this.topic, sessionStoreKeyKey(storeKey)) as K;
      listener(
        { key, window: { start: sessionStoreKeyStart(storeKey), end: sessionStoreKeyEnd(storeKey) } },
        newValue === null ? null : this.value(newValue),
        oldValue === null ? null : this.value(oldValue),
        timestamp,
      );
    }, sendOldValues);
    return true;
  }



  /** `knownKey`: the typed key when all entries share it (saves deserializing it); sessions ending after `latestSessionEnd` are skipped. */
  private *typed(entries: Iterable<SessionBytesEntry>, knownKey: K | undefined, latestSessionEnd = MAX_TIME): Generator<SessionKeyValue<K, V>> {
    if (!this.opened) throw storeNotOpen(this.name);
    this.metrics.end(this.metrics.range, this.metrics.start());
    for (const e of entries) {
      if (e.end > latestSessionEnd) continue;
      const key = knownKey !== undefined ? knownKey : (this.keySerde.deserialize(this.topic, e.key) as K);
      yield { key: { key, window: { start: e.start, end: e.end } }, value: this.value(e.value) };
    }
  }
}
