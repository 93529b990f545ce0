/**
 * Runs the window store contract against every inner window store and every layer stack, and checks
 * what the change-logging layer sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { windowStoreContract } from './window-store-contract.ts';
import { testStoreContext, type TestStoreContext } from './store-test-context.ts';
import type { WindowBytesStore } from '../../state-stores/window-bytes-store.ts';
import type { WindowBytesStoreOptions } from '../../state-stores/segmented/segmented-window-bytes-store.ts';
import { LmdbWindowBytesStore } from '../../state-stores/lmdb/lmdb-window-bytes-store.ts';
import { InMemoryWindowBytesStore } from '../../state-stores/memory/in-memory-window-bytes-store.ts';
import { ChangeLoggingWindowBytesStore } from '../../state-stores/layers/change-logging-window-bytes-store.ts';
import { CachingWindowStore } from '../../state-stores/layers/caching-window-store.ts';
import { StoreCache } from '../../state-stores/store-cache.ts';
import { toWindowStoreKey } from '../../state-stores/window-key-schema.ts';

class CheckpointingLmdbWindowStore extends LmdbWindowBytesStore {
  override flush(): void {
    super.flush();
    this.checkpoint(0);
  }
}

type Inner = (o: WindowBytesStoreOptions) => WindowBytesStore;
const inners: [string, Inner][] = [
  ['lmdb', (o) => new LmdbWindowBytesStore('w', o)],
  ['lmdb (checkpoint at every flush)', (o) => new CheckpointingLmdbWindowStore('w', o)],
  ['lmdb (tiny pending bound)', (o) => new LmdbWindowBytesStore('w', { ...o, maxPendingBytes: 100 })],
  ['memory', (o) => new InMemoryWindowBytesStore('w', o)],
];

for (const [name, inner] of inners) {
  windowStoreContract(name, (o) => {
    const context = testStoreContext();
    const store = inner(o);
    store.init(context, store);
    return { store, context };
  });
  windowStoreContract(`change-logging over ${name}`, (o) => {
    const context = testStoreContext();
    const store = new ChangeLoggingWindowBytesStore(inner(o));
    store.init(context, store);
    return { store, context };
  });
  windowStoreContract(`caching over change-logging over ${name}`, (o) => {
    const context = testStoreContext();
    const store = new CachingWindowStore(new ChangeLoggingWindowBytesStore(inner(o)));
    store.init(context, store);
    return { store, context };
  });
  windowStoreContract(`caching (200-byte cache) over change-logging over ${name}`, (o) => {
    const context = testStoreContext({ cache: new StoreCache(200) });
    const store = new CachingWindowStore(new ChangeLoggingWindowBytesStore(inner(o)));
    store.init(context, store);
    return { store, context };
  });
}

describe('state-stores/layers/change-logging-window-bytes-store', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts) c.cleanup();
  });

  it('logs [key][windowStart][seq] keys with the window start as default timestamp; duplicates get sequence numbers', () => {
    const context = testStoreContext();
    contexts.push(context);
    const store = new ChangeLoggingWindowBytesStore(new InMemoryWindowBytesStore('w', { retentionMs: 10_000, windowSizeMs: 1_000 }));
    store.init(context, store);
    store.put(Buffer.from('k'), Buffer.from('v'), 5_000);
    store.put(Buffer.from('k'), Buffer.from('v2'), 5_000, 5_500);
    expect(context.logged).toEqual([
      { store: 'w', key: toWindowStoreKey(Buffer.from('k'), 5_000, 0), value: Buffer.from('v'), timestamp: 5_000 },
      { store: 'w', key: toWindowStoreKey(Buffer.from('k'), 5_000, 0), value: Buffer.from('v2'), timestamp: 5_500 },
    ]);

    const dupContext = testStoreContext();
    contexts.push(dupContext);
    const dups = new ChangeLoggingWindowBytesStore(new InMemoryWindowBytesStore('d', { retentionMs: 10_000, windowSizeMs: 1_000, retainDuplicates: true }));
    dups.init(dupContext, dups);
    dups.put(Buffer.from('k'), Buffer.from('a'), 1_000);
    dups.put(Buffer.from('k'), Buffer.from('b'), 1_000);
    expect(dupContext.logged.map((c) => c.key)).toEqual([toWindowStoreKey(Buffer.from('k'), 1_000, 1), toWindowStoreKey(Buffer.from('k'), 1_000, 2)]);
    expect([...dups.fetchRange(Buffer.from('k'), 1_000, 1_000)].map((e) => e.value.toString())).toEqual(['a', 'b']);
  });

  it('LMDB window store: data, stream time and segments survive a restart after a checkpoint', () => {
    const context = testStoreContext();
    contexts.push(context);
    const o = { retentionMs: 20_000, windowSizeMs: 1_000, segmentIntervalMs: 10_000 };
    const first = new LmdbWindowBytesStore('w', o);
    first.init(context, first);
    first.put(Buffer.from('k'), Buffer.from('a'), 0);
    first.put(Buffer.from('k'), Buffer.from('b'), 15_000);
    first.put(Buffer.from('k'), Buffer.from('c'), 30_000); // drops segment 0
    first.checkpoint(12);
    first.close();
    const again = new LmdbWindowBytesStore('w', o);
    again.init(testStoreContext({ dir: context.stateDir }), again);
    expect(again.restoredOffset()).toBe(12);
    expect(again.observedStreamTime()).toBe(30_000);
    expect([...again.all()].map((e) => `${e.windowStart}=${e.value}`)).toEqual(['15000=b', '30000=c']);
    again.put(Buffer.from('k'), Buffer.from('late'), 1_000);
    expect(again.fetch(Buffer.from('k'), 1_000)).toBeUndefined();
    again.close();
  });
});
