/**
 * LMDB segments: an eager window fetch reads a segment's LMDB database only when it may hold entries at
 * or after the fetch's start time (`dbMaxTime`); what was checkpointed, spilled, restored or left by a
 * previous process is always found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testStoreContext, type TestStoreContext } from '../store-test-context.ts';
import { LmdbWindowBytesStore } from '../../../state-stores/lmdb/lmdb-window-bytes-store.ts';
import { toWindowStoreKey } from '../../../state-stores/window-key-schema.ts';

const K = Buffer.from('k');
const options = { retentionMs: 60_000, windowSizeMs: 1_000, segmentIntervalMs: 60_000, retainDuplicates: true };

function values(store: LmdbWindowBytesStore, from: number, to: number): string[] {
  return [...store.fetchRange(K, from, to)].map((e) => `${e.windowStart}=${e.value.toString()}`);
}

describe('state-stores/segmented/lmdb-segments', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts.splice(0)) c.cleanup();
  });
  function open(dir?: string, maxPendingBytes?: number): [LmdbWindowBytesStore, TestStoreContext] {
    const context = testStoreContext(dir === undefined ? {} : { dir });
    if (dir === undefined) contexts.push(context);
    const store = new LmdbWindowBytesStore('w', maxPendingBytes === undefined ? options : { ...options, maxPendingBytes });
    store.init(context, store);
    return [store, context];
  }

  it('fetches merge checkpointed and pending windows of one segment, whatever the fetch start', () => {
    const [store] = open();
    store.put(K, Buffer.from('a'), 1_000);
    store.checkpoint(0);
    store.put(K, Buffer.from('b'), 5_000);
    expect(values(store, 0, 6_000)).toEqual(['1000=a', '5000=b']);
    expect(values(store, 2_000, 6_000)).toEqual(['5000=b']);
    store.checkpoint(1);
    store.put(K, Buffer.from('c'), 9_000);
    // 'b' moved into LMDB at the checkpoint: a fetch from 4 s must still read the database.
    expect(values(store, 4_000, 10_000)).toEqual(['5000=b', '9000=c']);
    expect(values(store, 6_000, 10_000)).toEqual(['9000=c']);
    store.close();
  });

  it('finds windows spilled by the pending-writes bound', () => {
    const [store] = open(undefined, 100);
    for (let i = 0; i < 20; i++) store.put(K, Buffer.from(`v${i}`), 1_000 + i);
    expect(values(store, 1_019, 1_019)).toEqual(['1019=v19']);
    expect(values(store, 1_010, 1_011)).toEqual(['1010=v10', '1011=v11']);
    store.close();
  });

  it('finds windows a previous process checkpointed, and windows restored from the changelog', () => {
    const [first, context] = open();
    const dir = context.stateDir;
    first.put(K, Buffer.from('a'), 8_000);
    first.checkpoint(0);
    first.close();
    const [again] = open(dir);
    expect(values(again, 7_000, 9_000)).toEqual(['8000=a']);
    again.close();

    const restored = testStoreContext();
    contexts.push(restored);
    const store = new LmdbWindowBytesStore('w', options);
    store.init(restored, store);
    store.put(K, Buffer.from('x'), 1_000); // a live segment 0 before the restore
    restored.restores.get('w')!([{ key: toWindowStoreKey(K, 3_000, 7), value: Buffer.from('r'), timestamp: 3_000 }]);
    expect(values(store, 2_000, 4_000)).toEqual(['3000=r']);
    store.close();
  });
});
