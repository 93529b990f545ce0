import { afterEach, describe, expect, it } from 'vitest';
import { CachingWindowStore } from '../../../state-stores/layers/caching-window-store.ts';
import { ChangeLoggingWindowBytesStore } from '../../../state-stores/layers/change-logging-window-bytes-store.ts';
import { InMemoryWindowBytesStore } from '../../../state-stores/memory/in-memory-window-bytes-store.ts';
import { StoreCache } from '../../../state-stores/store-cache.ts';
import { testStoreContext, type TestStoreContext } from '../store-test-context.ts';

const b = (s: string): Buffer => Buffer.from(s);

describe('state-stores/layers/caching-window-store', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts) c.cleanup();
    contexts.length = 0;
  });

  it('caches fetched windows (absent ones too), so a flush reports old values without reading the store below', () => {
    const context = testStoreContext({ cache: new StoreCache(1 << 20) });
    contexts.push(context);
    const inner = new InMemoryWindowBytesStore('w', { retentionMs: 10_000, windowSizeMs: 1_000 });
    const store = new CachingWindowStore(new ChangeLoggingWindowBytesStore(inner));
    store.init(context, store);
    const flushed: [number, string | null, string | null][] = [];
    store.setFlushListener((storeKey, n, o) => flushed.push([storeKey.readUInt32BE(storeKey.length - 8), n?.toString() ?? null, o?.toString() ?? null]), true);
    inner.put(b('k'), b('0'), 0);
    let fetches = 0;
    const fetch = inner.fetch.bind(inner);
    inner.fetch = (key: Buffer, start: number) => {
      fetches++;
      return fetch(key, start);
    };
    expect(store.fetch(b('k'), 0)?.toString()).toBe('0');
    expect(store.fetch(b('k'), 1_000)).toBeUndefined();
    expect(store.fetch(b('k'), 1_000)).toBeUndefined();
    expect(fetches).toBe(2);
    store.put(b('k'), b('1'), 0, 10);
    store.put(b('k'), b('a'), 1_000, 1_010);
    store.flush();
    store.put(b('k'), b('2'), 0, 20);
    store.flush();
    expect(fetches).toBe(2);
    expect(flushed).toEqual([
      [0, '1', '0'],
      [1_000, 'a', null],
      [0, '2', '1'],
    ]);
    expect(inner.fetch(b('k'), 0)?.toString()).toBe('2');
    expect(context.logged.map((c) => c.value?.toString())).toEqual(['1', 'a', '2']);
    // A fetched absent window hides nothing and shows nothing in ranges.
    expect([...store.fetchRange(b('k'), 0, 5_000)].map((e) => [e.windowStart, e.value.toString()])).toEqual([
      [0, '2'],
      [1_000, 'a'],
    ]);
    expect(store.fetch(b('k'), 2_000)).toBeUndefined();
    expect([...store.fetchAll(0, 5_000)]).toHaveLength(2);
  });
});
