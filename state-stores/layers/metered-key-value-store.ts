/**
 * The metered layer of key-value stores: the only typed layer. It serializes keys and values with the
 * store's serdes (topic: the changelog topic name), counts and times operations, and turns the bytes
 * flush listener of a caching layer below into a typed one.
 */
import type { Serializer } from '../../core/serde/serde.ts';
import type { KeyValueBytesEntry, KeyValueBytesStore } from '../key-value-bytes-store.ts';
import type { CacheFlushListener, KeyValue, KeyValueStore } from '../key-value-store.ts';
import type { CachedBytesStore } from './caching-key-value-store.ts';
import { MeteredStore } from './metered-store.ts';
import { storeNotOpen } from '../store-errors.ts';

export type { MeteredStoreOptions } from './metered-store.ts';

export class MeteredKeyValueStore<K, V> extends MeteredStore<K, V, KeyValueBytesStore> implements KeyValueStore<K, V> {
  /** The last primitive key serialized and its bytes: a get and the put that follows serialize once. */
  private lastKey: unknown = undefined;
  private lastRawKey: Buffer | null = null;





  /** The timestamp written with a value; plain stores leave it to the layers below. */
  protected timestampOf(_value: V | null): number | undefined {
    return undefined;
  }

  /**
   * The key's bytes. A primitive key equal to the previous one reuses its bytes (the layers below keep
   * key buffers and never write into them); object keys are serialized every time, since they may
   * have been mutated.
   */
  protected serializeKey(key: K): Buffer {
    if (key === this.lastKey && this.lastRawKey !== null) return this.lastRawKey;
    const raw = this.keySerde.serialize(this.topic, key);
    if (raw === null) throw new TypeError(`Store "${this.name}": a key serialized to null`);
    if (typeof key !== 'object' && typeof key !== 'function') {
      this.lastKey = key;
      this.lastRawKey = raw;
    }
    return raw;
  }

  protected serializeValue(value: V | null): Buffer | null {
    return value === null || value === undefined ? null : this.valueSerde.serialize(this.topic, value);
  }

  protected deserializeValue(raw: Buffer): V {
    return this.valueSerde.deserialize(this.topic, raw) as V;
  }

  protected deserializeKey(raw: Buffer): K {
    return this.keySerde.deserialize(this.topic, raw) as K;
  }

  get(key: K): V | undefined {
    const m = this.metrics;
    const t0 = m.start();
    const raw = this.inner.get(this.serializeKey(key));
    const out = raw === undefined ? undefined : this.deserializeValue(raw);
    m.end(m.get, t0);
    return out;
  }

  put(key: K, value: V | null): void {
    const m = this.metrics;
    const t0 = m.start();
    this.inner.put(this.serializeKey(key), this.serializeValue(value), this.timestampOf(value));
    m.end(m.put, t0);
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const m = this.metrics;
    const t0 = m.start();
    const raw = this.serializeKey(key);
    const old = this.inner.get(raw);
    if (old === undefined) this.inner.put(raw, this.serializeValue(value), this.timestampOf(value));
    m.end(m.counter('putIfAbsent'), t0);
    return old === undefined ? undefined : this.deserializeValue(old);
  }

  putAll(entries: Iterable<KeyValue<K, V | null>>): void {
    for (const e of entries) this.put(e.key, e.value);
  }

  delete(key: K): V | undefined {
    const m = this.metrics;
    const t0 = m.start();
    const old = this.inner.delete(this.serializeKey(key), this.timestampOf(null));
    m.end(m.delete, t0);
    return old === undefined ? undefined : this.deserializeValue(old);
  }

  range(from: K | null, to: K | null): Iterable<KeyValue<K, V>> {
    return this.typed(this.inner.range(this.boundOf(from), this.boundOf(to), false));
  }

  reverseRange(from: K | null, to: K | null): Iterable<KeyValue<K, V>> {
    return this.typed(this.inner.range(this.boundOf(from), this.boundOf(to), true));
  }

  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): Iterable<KeyValue<K, V>> {
    const raw = prefixSerializer.serialize(this.topic, prefix);
    if (raw === null) throw new TypeError(`Store "${this.name}": a prefix serialized to null`);
    return this.typed(this.inner.prefixScan(raw), 'prefixScan');
  }

  all(): Iterable<KeyValue<K, V>> {
    return this.typed(this.inner.all(false));
  }

  reverseAll(): Iterable<KeyValue<K, V>> {
    return this.typed(this.inner.all(true));
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues = false): boolean {
    const cached = this.inner as Partial<CachedBytesStore>;
    if (typeof cached.setFlushListener !== 'function') return false;
    cached.setFlushListener((key, newValue, oldValue, timestamp) => {
      listener(
        this.deserializeKey(key),
        newValue === null ? null : this.deserializeValue(newValue),
        oldValue === null ? null : this.deserializeValue(oldValue),
        timestamp,
      );
    }, sendOldValues);
    return true;
  }








  private boundOf(key: K | null): Buffer | null {
    return key === null || key === undefined ? null : this.serializeKey(key);
  }

  private *typed(entries: Iterable<KeyValueBytesEntry>, op: 'range' | 'prefixScan' = 'range'): Generator<KeyValue<K, V>> {
    if (!this.opened) throw storeNotOpen(this.name);
    this.metrics.end(op === 'range' ? this.metrics.range : this.metrics.counter(op), this.metrics.start());
    for (const [k, v] of entries) yield { key: this.deserializeKey(k), value: this.deserializeValue(v) };
  }
}
