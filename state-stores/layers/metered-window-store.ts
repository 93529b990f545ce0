/**
 * The metered layer of window stores: the only typed layer; serdes, operation counts and latencies,
 * and the typed flush listener of a caching layer below.
 */
import type { WindowBytesEntry, WindowBytesStore } from '../window-bytes-store.ts';
import type { WindowFlushListener, WindowStore, WindowValue, WindowedKeyValue } from '../window-store.ts';
import type { ValueAndTimestamp } from '../value-and-timestamp.ts';
import { valueAndTimestampSerde } from '../value-and-timestamp.ts';
import { windowStoreKeyKey, windowStoreKeyStart } from '../window-key-schema.ts';
import { MeteredStore } from './metered-store.ts';
import { storeNotOpen } from '../store-errors.ts';
import type { MeteredStoreOptions } from './metered-key-value-store.ts';

/** A bytes window store that caches and reports flushed entries by store key (structural). */
export interface CachedWindowBytesStore {
  setFlushListener(listener: ((storeKey: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void) | null, sendOldValues: boolean): void;
}

export class MeteredWindowStore<K, V> extends MeteredStore<K, V, WindowBytesStore> implements WindowStore<K, V> {
  private lastKey: unknown = undefined;
  private lastRawKey: Buffer | null = null;


  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
  }


  protected timestampOf(_value: V | null): number | undefined {
    return undefined;
  }

  /**
   * The key's bytes. A primitive key equal to the previous one reuses its bytes (a fetch and the put
   * that follows serialize once; the layers below never write into key buffers).
   */
  private serializeKey(key: K): Buffer {
    if (key === this.lastKey && this.lastRawKey !== null) return this.lastRawKey;
    const raw = this.keySerde.serialize(this.topic, key);
    if (raw === null) throw new TypeError(`Store "${this.name}": a key serialized to null`);
    if (typeof key !== 'object' && typeof key !== 'function') {
      this.lastKey = key;
      this.lastRawKey = raw;
    }
    return raw;
  }

  private value(raw: Buffer): V {
    return this.valueSerde.deserialize(this.topic, raw) as V;
  }

  put(key: K, value: V | null, windowStart: number): void {
    const m = this.metrics;
    const t0 = m.start();
    const raw = value === null || value === undefined ? null : this.valueSerde.serialize(this.topic, value);
    this.inner.put(this.serializeKey(key), raw, windowStart, this.timestampOf(value));
    m.end(m.put, t0);
  }

  fetch(key: K, windowStart: number): V | undefined {
    const m = this.metrics;
    const t0 = m.start();
    const raw = this.inner.fetch(this.serializeKey(key), windowStart);
    const out = raw === undefined ? undefined : this.value(raw);
    m.end(m.counter('fetch'), t0);
    return out;
  }

  /** Windows of `key` starting in `[timeFrom, timeTo]`; an array when the layer below read them at once. */
  fetchRange(key: K, timeFrom: number, timeTo: number, backward = false): Iterable<WindowValue<V>> {
    this.check();
    this.metrics.end(this.metrics.counter('fetch'), this.metrics.start());
    const entries = this.inner.fetchRange(this.serializeKey(key), timeFrom, timeTo, backward);
    if (!Array.isArray(entries)) return this.typedValues(entries);
    const out: WindowValue<V>[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as WindowBytesEntry;
      out.push({ windowStart: e.windowStart, value: this.value(e.value) });
    }
    return out;
  }

  private *typedValues(entries: Iterable<WindowBytesEntry>): Generator<WindowValue<V>> {
    for (const e of entries) yield { windowStart: e.windowStart, value: this.value(e.value) };
  }

  fetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): Iterable<WindowedKeyValue<K, V>> {
    const from = keyFrom === null ? null : this.serializeKey(keyFrom);
    const to = keyTo === null ? null : this.serializeKey(keyTo);
    return this.typed(this.inner.fetchKeyRange(from, to, timeFrom, timeTo, false));
  }

  fetchAll(timeFrom: number, timeTo: number): Iterable<WindowedKeyValue<K, V>> {
    return this.typed(this.inner.fetchAll(timeFrom, timeTo, false));
  }

  all(): Iterable<WindowedKeyValue<K, V>> {
    return this.typed(this.inner.all(false));
  }

  setFlushListener(listener: WindowFlushListener<K, V>, sendOldValues = false): boolean {
    const cached = this.inner as Partial<CachedWindowBytesStore>;
    if (typeof cached.setFlushListener !== 'function') return false;
    const size = this.inner.windowSizeMs;
    cached.setFlushListener((storeKey, newValue, oldValue, timestamp) => {
      const start = windowStoreKeyStart(storeKey);
      const key = this.keySerde.deserialize(this.topic, windowStoreKeyKey(storeKey)) as K;
      listener(
        { key, window: { start, end: start + size } },
        newValue === null ? null : this.value(newValue),
        oldValue === null ? null : this.value(oldValue),
        timestamp,
      );
    }, sendOldValues);
    return true;
  }



  private check(): void {
    if (!this.opened) throw storeNotOpen(this.name);
  }

  private *typed(entries: Iterable<WindowBytesEntry>): Generator<WindowedKeyValue<K, V>> {
    this.check();
    this.metrics.end(this.metrics.range, this.metrics.start());
    const size = this.inner.windowSizeMs;
    for (const e of entries) {
      const key = this.keySerde.deserialize(this.topic, e.key) as K;
      yield { key: { key, window: { start: e.windowStart, end: e.windowStart + size } }, value: this.value(e.value) };
    }
  }
}

/** The metered layer of timestamped window stores: values are `ValueAndTimestamp<V>`. */
export class MeteredTimestampedWindowStore<K, V> extends MeteredWindowStore<K, ValueAndTimestamp<V>> {
  constructor(inner: WindowBytesStore, options: MeteredStoreOptions<K, V>) {
    super(inner, { keySerde: options.keySerde, valueSerde: valueAndTimestampSerde(options.valueSerde), recordLatency: options.recordLatency ?? false });
  }

  protected override timestampOf(value: ValueAndTimestamp<V> | null): number | undefined {
    return value === null || value === undefined ? undefined : value.timestamp;
  }
}
