import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmdbKeyValueBytesStore } from '../../../state-stores/lmdb/lmdb-key-value-bytes-store.ts';
import { LMDB_DIR } from '../../../state-stores/lmdb/lmdb-env.ts';
import { checkLmdbDataFile } from '../../../state-stores/lmdb/lmdb-meta-check.ts';
import { tempDir, testStoreContext, type TestStoreContext } from '../store-test-context.ts';

const b = (s: string): Buffer => Buffer.from(s);

describe('state-stores/lmdb/lmdb-key-value-bytes-store', () => {
  const dirs: string[] = [];
  const stores: LmdbKeyValueBytesStore[] = [];
  afterEach(() => {
    for (const s of stores) if (s.isOpen()) s.close();
    stores.length = 0;
    for (const d of dirs) testStoreContext({ dir: d }).cleanup();
    dirs.length = 0;
  });
  const openStore = (dir: string, name = 'counts'): { store: LmdbKeyValueBytesStore; context: TestStoreContext } => {
    const context = testStoreContext({ dir });
    const store = new LmdbKeyValueBytesStore(name);
    store.init(context, store);
    stores.push(store);
    return { store, context };
  };
  const newDir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };

  it('keeps its data under <taskDir>/lmdb and registers a restore callback', () => {
    const dir = newDir();
    const { context } = openStore(dir);
    expect(existsSync(join(dir, LMDB_DIR, 'data.mdb'))).toBe(true);
    expect(context.restores.has('counts')).toBe(true);
  });

  it('has no usable local state before the first checkpoint', () => {
    const { store } = openStore(newDir());
    expect(store.restoredOffset()).toBeNull();
  });

  it('makes data durable together with the checkpoint offset, and only then', () => {
    const dir = newDir();
    const first = openStore(dir).store;
    first.put(b('a'), b('1'));
    first.checkpoint(41);
    first.put(b('b'), b('2')); // not checkpointed
    first.close();
    const again = openStore(dir).store;
    expect(again.restoredOffset()).toBe(41);
    expect(again.get(b('a'))?.toString()).toBe('1');
    expect(again.get(b('b'))).toBeUndefined();
  });

  it('keeps the stored offset when checkpointed with -1 (no changelog record written since)', () => {
    const dir = newDir();
    const first = openStore(dir).store;
    first.checkpoint(-1);
    expect(first.restoredOffset()).toBe(-1);
    first.put(b('a'), b('1'));
    first.checkpoint(7);
    first.checkpoint(-1);
    expect(first.restoredOffset()).toBe(7);
    first.close();
    expect(openStore(dir).store.restoredOffset()).toBe(7);
  });

  it('shares one environment between the stores of a task, each with its own checkpoint', () => {
    const dir = newDir();
    const a = openStore(dir, 'a').store;
    const c = openStore(dir, 'c').store;
    a.put(b('k'), b('from-a'));
    c.put(b('k'), b('from-c'));
    a.checkpoint(1);
    c.checkpoint(2);
    a.close();
    expect(c.get(b('k'))?.toString()).toBe('from-c');
    c.close();
    expect(openStore(dir, 'a').store.restoredOffset()).toBe(1);
    expect(openStore(dir, 'c').store.get(b('k'))?.toString()).toBe('from-c');
  });

  it('removes the checkpoint when pending writes are written early, so a crash means a full restore', () => {
    const dir = newDir();
    const context = testStoreContext({ dir });
    const store = new LmdbKeyValueBytesStore('s', { maxPendingBytes: 1_000 });
    store.init(context, store);
    stores.push(store);
    store.checkpoint(5);
    for (let i = 0; i < 100; i++) store.put(b(`key-${i}`), b('x'.repeat(20)));
    store.close(); // a crash: no checkpoint call
    const again = openStore(dir, 's').store;
    expect(again.restoredOffset()).toBeNull();
    again.checkpoint(9);
    expect(again.restoredOffset()).toBe(9);
  });

  it('restores changelog batches straight into LMDB (deletes included) and keeps them', () => {
    const dir = newDir();
    const { store, context } = openStore(dir);
    const restore = context.restores.get('counts')!;
    restore([
      { key: b('a'), value: b('1'), timestamp: 0 },
      { key: b('b'), value: b('2'), timestamp: 0 },
      { key: Buffer.alloc(0), value: b('e'), timestamp: 0 },
    ]);
    restore([{ key: b('a'), value: null, timestamp: 0 }]);
    expect([...store.all()].map(([k, v]) => `${k}=${v}`)).toEqual(['=e', 'b=2']);
    store.checkpoint(3);
    store.close();
    const again = openStore(dir).store;
    expect(again.get(b('b'))?.toString()).toBe('2');
    expect(again.restoredOffset()).toBe(3);
  });

  it('wipe() drops data and checkpoint durably', () => {
    const dir = newDir();
    const store = openStore(dir).store;
    store.put(b('a'), b('1'));
    store.checkpoint(10);
    store.wipe();
    expect(store.restoredOffset()).toBeNull();
    store.close();
    const again = openStore(dir).store;
    expect(again.restoredOffset()).toBeNull();
    expect(again.get(b('a'))).toBeUndefined();
  });

  it('reports no usable state (instead of crashing) when data.mdb is garbage, and works afterwards', () => {
    const dir = newDir();
    const first = openStore(dir).store;
    first.put(b('a'), b('1'));
    first.checkpoint(3);
    first.close();
    writeFileSync(join(dir, LMDB_DIR, 'data.mdb'), Buffer.alloc(64 * 1024, 7));
    expect(checkLmdbDataFile(join(dir, LMDB_DIR)).state).toBe('corrupt');
    const again = openStore(dir).store;
    expect(again.restoredOffset()).toBeNull();
    expect(again.get(b('a'))).toBeUndefined();
    again.put(b('a'), b('2'));
    again.checkpoint(4);
    expect(again.get(b('a'))?.toString()).toBe('2');
  });

  it('treats a truncated data file as corrupt', () => {
    const dir = newDir();
    const first = openStore(dir).store;
    for (let i = 0; i < 5000; i++) first.put(b(`k${i}`), Buffer.alloc(100, i));
    first.checkpoint(1);
    first.close();
    const file = join(dir, LMDB_DIR, 'data.mdb');
    truncateSync(file, 4096 * 2 + 100);
    expect(checkLmdbDataFile(join(dir, LMDB_DIR)).state).toBe('corrupt');
    expect(openStore(dir).store.restoredOffset()).toBeNull();
  });

  it('restores a 200,000-record changelog in batches', () => {
    const { store, context } = openStore(newDir());
    const restore = context.restores.get('counts')!;
    const n = 200_000;
    const batch = [];
    for (let i = 0; i < n; i++) {
      const key = Buffer.allocUnsafe(12);
      key.write('key-', 0);
      key.writeUInt32BE(i >>> 8, 4);
      key.writeUInt32BE(i, 8);
      batch.push({ key, value: Buffer.alloc(8, i & 0xff), timestamp: i });
    }
    const t0 = performance.now();
    for (let i = 0; i < n; i += 50_000) restore(batch.slice(i, i + 50_000));
    const rate = n / ((performance.now() - t0) / 1000);
    expect(store.approximateNumEntries()).toBe(n);
    console.log(`lmdb restore: ${Math.round(rate).toLocaleString('en-US')} records/s`);
  });
});
