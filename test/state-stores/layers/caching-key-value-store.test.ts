import { afterEach, describe, expect, it } from 'vitest';
import { CachingKeyValueStore } from '../../../state-stores/layers/caching-key-value-store.ts';
import { ChangeLoggingKeyValueBytesStore } from '../../../state-stores/layers/change-logging-key-value-bytes-store.ts';
import { InMemoryKeyValueBytesStore } from '../../../state-stores/memory/in-memory-key-value-bytes-store.ts';
import { CACHE_ENTRY_OVERHEAD, StoreCache } from '../../../state-stores/store-cache.ts';
import { testStoreContext, type TestStoreContext } from '../store-test-context.ts';

const b = (s: string): Buffer => Buffer.from(s);
type Flushed = [string, string | null, string | null, number];

describe('state-stores/layers/caching-key-value-store', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts) c.cleanup();
    contexts.length = 0;
  });
  const make = (cache?: StoreCache, partition = 0, sendOld = true) => {
    const context = testStoreContext(cache === undefined ? { partition } : { cache, partition });
    contexts.push(context);
    const inner = new InMemoryKeyValueBytesStore('s');
    const store = new CachingKeyValueStore(new ChangeLoggingKeyValueBytesStore(inner));
    store.init(context, store);
    const flushed: Flushed[] = [];
    store.setFlushListener((k, n, o, t) => flushed.push([k.toString(), n?.toString() ?? null, o?.toString() ?? null, t]), sendOld);
    return { store, inner, context, flushed };
  };

  it('dedupes writes per key until flush, then writes and forwards the latest value with the old one', () => {
    const { store, inner, context, flushed } = make();
    store.put(b('a'), b('1'), 10);
    store.put(b('a'), b('2'), 11);
    store.put(b('b'), b('x'), 12);
    expect(inner.get(b('a'))).toBeUndefined();
    expect(context.logged).toEqual([]);
    expect(store.get(b('a'))?.toString()).toBe('2');
    store.flush();
    expect(flushed).toEqual([
      ['a', '2', null, 11],
      ['b', 'x', null, 12],
    ]);
    expect(context.logged.map((c) => [c.key.toString(), c.value?.toString(), c.timestamp])).toEqual([
      ['a', '2', 11],
      ['b', 'x', 12],
    ]);
    store.put(b('a'), b('3'), 20);
    store.flush();
    expect(flushed[2]).toEqual(['a', '3', '2', 20]);
  });

  it('reports old values on flush without reading the store below for keys read or flushed before (absent keys too)', () => {
    const { store, inner, flushed } = make();
    inner.put(b('a'), b('0'));
    let reads = 0;
    const get = inner.get.bind(inner);
    inner.get = (key: Buffer) => {
      reads++;
      return get(key);
    };
    expect(store.get(b('a'))?.toString()).toBe('0'); // miss: read once, cached clean
    expect(store.get(b('n'))).toBeUndefined(); // miss: read once, cached as absent
    expect(store.get(b('n'))).toBeUndefined(); // hit
    expect(reads).toBe(2);
    store.put(b('a'), b('1'), 1);
    store.put(b('a'), b('2'), 2);
    store.put(b('n'), b('x'), 3);
    store.flush();
    store.put(b('a'), b('3'), 4);
    store.flush();
    expect(reads).toBe(2);
    expect(flushed).toEqual([
      ['a', '2', '0', 2],
      ['n', 'x', null, 3],
      ['a', '3', '2', 4],
    ]);
    store.put(b('u'), b('1'), 5); // never read: its old value is read from the store at flush
    store.flush();
    expect(reads).toBe(3);
    expect(flushed[3]).toEqual(['u', '1', null, 5]);
  });

  it('flushes in the order of the last update', () => {
    const { store, flushed } = make();
    store.put(b('a'), b('1'), 1);
    store.put(b('b'), b('1'), 2);
    store.put(b('a'), b('2'), 3);
    store.flush();
    expect(flushed.map((f) => f[0])).toEqual(['b', 'a']);
  });

  it('forwards a deletion of a stored key, and skips a deletion of a key that exists nowhere', () => {
    const { store, inner, flushed, context } = make();
    store.put(b('a'), b('1'), 1);
    store.flush();
    store.delete(b('a'), 2);
    store.delete(b('never'), 3);
    store.flush();
    expect(flushed.slice(1)).toEqual([['a', null, '1', 2]]);
    expect(inner.get(b('a'))).toBeUndefined();
    expect(context.logged.map((c) => [c.key.toString(), c.value])).toEqual([
      ['a', b('1')],
      ['a', null],
    ]);
  });

  it('does not send old values unless asked', () => {
    const { store, flushed } = make(undefined, 0, false);
    store.put(b('a'), b('1'), 1);
    store.flush();
    store.put(b('a'), b('2'), 2);
    store.flush();
    expect(flushed).toEqual([
      ['a', '1', null, 1],
      ['a', '2', null, 2],
    ]);
  });

  it('evicts least recently used entries when the shared cache is full, first flushing dirty entries in update order up to the evicted one', () => {
    const cache = new StoreCache(3 * (CACHE_ENTRY_OVERHEAD + 2));
    const { store, inner, flushed } = make(cache);
    store.put(b('a'), b('1'), 1);
    store.put(b('b'), b('1'), 2);
    store.put(b('c'), b('1'), 3);
    expect(store.get(b('b'))?.toString()).toBe('1'); // b becomes the most recently used; update order stays a, b, c
    expect(flushed).toEqual([]);
    store.put(b('d'), b('1'), 4); // over the bound: evicts 'a', which is dirty -> flushes 'a' only
    expect(flushed.map((f) => f[0])).toEqual(['a']);
    store.put(b('e'), b('1'), 5); // evicts 'c' (least recently used): flushes b and c, in update order
    expect(flushed.map((f) => f[0])).toEqual(['a', 'b', 'c']);
    expect(inner.get(b('d'))).toBeUndefined();
    store.flush();
    expect(flushed.map((f) => f[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(inner.get(b('d'))?.toString()).toBe('1');
    expect(cache.sizeBytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.stats().evictions).toBeGreaterThan(0);
  });

  it('bounds the cache across the stores of all tasks', () => {
    const cache = new StoreCache(10_000);
    const one = make(cache, 0);
    const two = make(cache, 1);
    for (let i = 0; i < 500; i++) {
      one.store.put(b(`k${i}`), Buffer.alloc(20), i);
      two.store.put(b(`k${i}`), Buffer.alloc(20), i);
      expect(cache.sizeBytes).toBeLessThanOrEqual(10_000);
    }
    one.store.flush();
    two.store.flush();
    expect(one.inner.approximateNumEntries()).toBe(500);
    expect(two.inner.approximateNumEntries()).toBe(500);
    expect(cache.names().sort()).toEqual(['0_0-s', '0_1-s']);
  });

  it('writes every update through at once with a 0-byte cache', () => {
    const { store, flushed } = make(new StoreCache(0));
    store.put(b('a'), b('1'), 1);
    store.put(b('a'), b('2'), 2);
    expect(flushed).toEqual([
      ['a', '1', null, 1],
      ['a', '2', '1', 2],
    ]);
  });

  it('updates a cached entry in place (no new entry for an existing key)', () => {
    const cache = new StoreCache(1 << 20);
    const { store } = make(cache);
    store.put(b('a'), b('1'), 1);
    const size = cache.sizeBytes;
    for (let i = 0; i < 1000; i++) store.put(b('a'), b('2'), i);
    expect(cache.entries).toBe(1);
    expect(cache.sizeBytes).toBe(size);
  });

  it('drops cached writes on wipe() and close() without writing them', () => {
    const cache = new StoreCache(1 << 20);
    const { store, inner, flushed, context } = make(cache);
    store.put(b('a'), b('1'), 1);
    store.wipe();
    expect(store.get(b('a'))).toBeUndefined();
    store.put(b('b'), b('1'), 1);
    store.close();
    expect(flushed).toEqual([]);
    expect(context.logged).toEqual([]);
    expect(inner.isOpen()).toBe(false);
    expect(cache.entries).toBe(0);
  });
});
