/**
 * Runs the key-value contract against every inner store and every layer stack.
 */
import { keyValueStoreContract } from './key-value-store-contract.ts';
import { testStoreContext } from './store-test-context.ts';
import type { KeyValueBytesStore } from '../../state-stores/key-value-bytes-store.ts';
import { LmdbKeyValueBytesStore } from '../../state-stores/lmdb/lmdb-key-value-bytes-store.ts';
import { InMemoryKeyValueBytesStore } from '../../state-stores/memory/in-memory-key-value-bytes-store.ts';
import { withCaching, withChangeLogging } from '../../state-stores/key-value-store-builder.ts';
import { StoreCache } from '../../state-stores/store-cache.ts';

/** LMDB that commits its pending writes at every flush, so ranges mix committed and pending data. */
class CheckpointingLmdbStore extends LmdbKeyValueBytesStore {
  override flush(): void {
    super.flush();
    this.checkpoint(0);
  }
}

type Inner = () => KeyValueBytesStore;
const inners: [string, Inner][] = [
  ['lmdb', () => new LmdbKeyValueBytesStore('store')],
  ['lmdb (tiny pending bound: early writes)', () => new LmdbKeyValueBytesStore('store', { maxPendingBytes: 200 })],
  ['lmdb (checkpoint at every flush)', () => new CheckpointingLmdbStore('store')],
  ['memory', () => new InMemoryKeyValueBytesStore('store')],
];

for (const [name, inner] of inners) {
  keyValueStoreContract(name, () => {
    const context = testStoreContext();
    const store = inner();
    store.init(context, store);
    return { store, context };
  });
  keyValueStoreContract(`change-logging over ${name}`, () => {
    const context = testStoreContext();
    const store = withChangeLogging(inner(), true);
    store.init(context, store);
    return { store, context };
  });
  keyValueStoreContract(`caching over change-logging over ${name}`, () => {
    const context = testStoreContext();
    const store = withCaching(withChangeLogging(inner(), true), true);
    store.init(context, store);
    return { store, context };
  });
  keyValueStoreContract(`caching (300-byte cache: constant eviction) over change-logging over ${name}`, () => {
    const context = testStoreContext({ cache: new StoreCache(300) });
    const store = withCaching(withChangeLogging(inner(), true), true);
    store.init(context, store);
    return { store, context };
  });
  keyValueStoreContract(`caching (0-byte cache) over ${name}`, () => {
    const context = testStoreContext({ cache: new StoreCache(0) });
    const store = withCaching(inner(), true);
    store.init(context, store);
    return { store, context };
  });
}
