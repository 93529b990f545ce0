/**
 * The base of the bytes layers: delegates everything to the store below, so each layer overrides only
 * what it adds (Kafka Streams' `WrappedStateStore`).
 */
import { WrappedStateStore } from './wrapped-state-store.ts';
import type { KeyValueBytesEntry, KeyValueBytesStore } from '../key-value-bytes-store.ts';

export abstract class WrappedKeyValueBytesStore extends WrappedStateStore<KeyValueBytesStore> implements KeyValueBytesStore {
  get(key: Buffer): Buffer | undefined {
    return this.inner.get(key);
  }

  put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.inner.put(key, value, timestamp);
  }

  putAll(entries: Iterable<readonly [Buffer, Buffer | null]>, timestamp?: number): void {
    for (const [k, v] of entries) this.put(k, v, timestamp);
  }

  delete(key: Buffer, timestamp?: number): Buffer | undefined {
    return this.inner.delete(key, timestamp);
  }

  range(from: Buffer | null, to: Buffer | null, reverse?: boolean): Iterable<KeyValueBytesEntry> {
    return this.inner.range(from, to, reverse);
  }

  prefixScan(prefix: Buffer): Iterable<KeyValueBytesEntry> {
    return this.inner.prefixScan(prefix);
  }

  all(reverse?: boolean): Iterable<KeyValueBytesEntry> {
    return this.inner.all(reverse);
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }
}
