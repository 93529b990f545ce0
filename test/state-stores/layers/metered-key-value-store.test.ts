import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../../core/serde/serdes.ts';
import { keyValueStoreBuilder, timestampedKeyValueStoreBuilder } from '../../../state-stores/key-value-store-builder.ts';
import { MeteredKeyValueStore } from '../../../state-stores/layers/metered-key-value-store.ts';
import { InMemoryKeyValueBytesStore } from '../../../state-stores/memory/in-memory-key-value-bytes-store.ts';
import { testStoreContext, type TestStoreContext } from '../store-test-context.ts';

describe('state-stores/layers/metered-key-value-store', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts) c.cleanup();
    contexts.length = 0;
  });
  const ctx = () => {
    const c = testStoreContext();
    contexts.push(c);
    return c;
  };

  it('serializes with the serdes, ranges in byte order of the serialized keys, and counts operations', () => {
    const store = new MeteredKeyValueStore(new InMemoryKeyValueBytesStore('m'), { keySerde: Serdes.string(), valueSerde: Serdes.int64(), recordLatency: true });
    store.init(ctx(), store);
    store.put('b', 2);
    store.put('a', 1);
    store.put('c', 3);
    expect(store.get('a')).toBe(1);
    expect(store.putIfAbsent('a', 9)).toBe(1);
    expect(store.putIfAbsent('d', 4)).toBeUndefined();
    expect([...store.range('b', 'c')]).toEqual([{ key: 'b', value: 2 }, { key: 'c', value: 3 }]);
    expect([...store.reverseRange(null, 'b')]).toEqual([{ key: 'b', value: 2 }, { key: 'a', value: 1 }]);
    expect([...store.prefixScan('c', Serdes.string())]).toEqual([{ key: 'c', value: 3 }]);
    expect(store.delete('d')).toBe(4);
    expect([...store.all()].map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect([...store.reverseAll()].map((e) => e.key)).toEqual(['c', 'b', 'a']);
    expect(store.approximateNumEntries()).toBe(3);
    const snap = store.metricsSnapshot();
    expect(snap.operations.put?.count).toBe(3);
    expect(snap.operations.get?.count).toBe(1);
    expect(snap.operations.delete?.count).toBe(1);
    expect(snap.operations.range?.count).toBe(4);
    expect(snap.operations.put!.totalMs).toBeGreaterThanOrEqual(0);
    // no caching layer: no flush listener
    expect(store.setFlushListener(() => undefined)).toBe(false);
  });

  it('turns the cache flush listener into a typed one (built by keyValueStoreBuilder)', () => {
    const builder = keyValueStoreBuilder({ name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.int64(), kind: 'memory' });
    expect(builder.loggingEnabled).toBe(true);
    expect(builder.logConfig).toEqual({ 'cleanup.policy': 'compact' });
    const store = builder.build();
    const context = ctx();
    store.init(context, store);
    const seen: unknown[] = [];
    expect(store.setFlushListener((k, n, o, t) => seen.push([k, n, o, t]), true)).toBe(true);
    store.put('x', 1);
    store.put('x', 2);
    store.flush();
    expect(seen).toEqual([['x', 2, null, 1_000]]);
    expect(context.logged.length).toBe(1);
    store.close();
  });

  it('timestamped stores keep [timestamp][value] and log plain values with the value timestamp', () => {
    const builder = timestampedKeyValueStoreBuilder({ name: 'table', keySerde: Serdes.string(), valueSerde: Serdes.string(), kind: 'memory', caching: false });
    const store = builder.build();
    const context = ctx();
    store.init(context, store);
    store.put('k', { value: 'v', timestamp: 42 });
    expect(store.get('k')).toEqual({ value: 'v', timestamp: 42 });
    expect(context.logged).toEqual([{ store: 'table', key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 42 }]);
  });

  it('logging off: no changelog, and the builder says so', () => {
    const builder = keyValueStoreBuilder({ name: 'quiet', keySerde: Serdes.string(), valueSerde: Serdes.string(), kind: 'memory', logging: false, caching: false });
    expect(builder.loggingEnabled).toBe(false);
    const store = builder.build();
    const context = ctx();
    store.init(context, store);
    store.put('a', 'b');
    expect(context.logged).toEqual([]);
    expect(context.restores.has('quiet')).toBe(true);
  });

  it('extra changelog configs are merged into the log config', () => {
    const builder = keyValueStoreBuilder({ name: 'x', keySerde: Serdes.string(), valueSerde: Serdes.string(), logging: { configs: { 'min.insync.replicas': '2' } } });
    expect(builder.logConfig).toEqual({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2' });
    expect(builder.createCache(1234).maxBytes).toBe(1234);
  });
});
