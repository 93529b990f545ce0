/**
 * Runs the session store contract against every inner session store and every layer stack; checks the
 * changelog keys and the typed store built by the builder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sessionStoreContract } from './session-store-contract.ts';
import { testStoreContext, type TestStoreContext } from './store-test-context.ts';
import type { SessionBytesStore } from '../../state-stores/session-bytes-store.ts';
import type { SessionBytesStoreOptions } from '../../state-stores/segmented/segmented-session-bytes-store.ts';
import { LmdbSessionBytesStore } from '../../state-stores/lmdb/lmdb-session-bytes-store.ts';
import { InMemorySessionBytesStore } from '../../state-stores/memory/in-memory-session-bytes-store.ts';
import { ChangeLoggingSessionBytesStore } from '../../state-stores/layers/change-logging-session-bytes-store.ts';
import { CachingSessionStore } from '../../state-stores/layers/caching-session-store.ts';
import { StoreCache } from '../../state-stores/store-cache.ts';
import { toSessionStoreKey } from '../../state-stores/session-key-schema.ts';
import { sessionStoreBuilder } from '../../state-stores/window-store-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';

class CheckpointingLmdbSessionStore extends LmdbSessionBytesStore {
  override flush(): void {
    super.flush();
    this.checkpoint(0);
  }
}

type Inner = (o: SessionBytesStoreOptions) => SessionBytesStore;
const inners: [string, Inner][] = [
  ['lmdb', (o) => new LmdbSessionBytesStore('s', o)],
  ['lmdb (checkpoint at every flush)', (o) => new CheckpointingLmdbSessionStore('s', o)],
  ['memory', (o) => new InMemorySessionBytesStore('s', o)],
];

for (const [name, inner] of inners) {
  sessionStoreContract(name, (o) => {
    const context = testStoreContext();
    const store = inner(o);
    store.init(context, store);
    return { store, context };
  });
  sessionStoreContract(`caching over change-logging over ${name}`, (o) => {
    const context = testStoreContext();
    const store = new CachingSessionStore(new ChangeLoggingSessionBytesStore(inner(o)));
    store.init(context, store);
    return { store, context };
  });
  sessionStoreContract(`caching (150-byte cache) over change-logging over ${name}`, (o) => {
    const context = testStoreContext({ cache: new StoreCache(150) });
    const store = new CachingSessionStore(new ChangeLoggingSessionBytesStore(inner(o)));
    store.init(context, store);
    return { store, context };
  });
}

describe('state-stores/session stores', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts) c.cleanup();
  });

  it('change-logging logs [key][end][start] keys, tombstones on remove, session end as default timestamp', () => {
    const context = testStoreContext();
    contexts.push(context);
    const store = new ChangeLoggingSessionBytesStore(new InMemorySessionBytesStore('s', { retentionMs: 10_000 }));
    store.init(context, store);
    store.put(Buffer.from('u'), 1, 5, Buffer.from('v'));
    store.remove(Buffer.from('u'), 1, 5);
    expect(context.logged).toEqual([
      { store: 's', key: toSessionStoreKey(Buffer.from('u'), 1, 5), value: Buffer.from('v'), timestamp: 5 },
      { store: 's', key: toSessionStoreKey(Buffer.from('u'), 1, 5), value: null, timestamp: 5 },
    ]);
  });

  it('the builder makes a typed, cached, logged store with compact,delete changelog retention', () => {
    const builder = sessionStoreBuilder({ name: 'sess', keySerde: Serdes.string(), valueSerde: Serdes.int64(), retentionMs: 60_000, kind: 'memory' });
    expect(builder.logConfig).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(60_000 + 86_400_000) });
    const store = builder.build();
    const context = testStoreContext();
    contexts.push(context);
    store.init(context, store);
    const flushed: unknown[] = [];
    expect(store.setFlushListener((k, n, o) => flushed.push([k, n, o]), true)).toBe(true);
    store.put({ key: 'u', window: { start: 0, end: 10 } }, 2);
    expect([...store.findSessions('u', 0, 100)]).toEqual([{ key: { key: 'u', window: { start: 0, end: 10 } }, value: 2 }]);
    store.flush();
    store.remove({ key: 'u', window: { start: 0, end: 10 } });
    store.flush();
    expect(flushed).toEqual([
      [{ key: 'u', window: { start: 0, end: 10 } }, 2, null],
      [{ key: 'u', window: { start: 0, end: 10 } }, null, 2],
    ]);
    expect([...store.fetch('u')]).toEqual([]);
  });
});
