/**
 * The window store contract, written once and run against every inner window store and layer stack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WindowBytesStore, WindowBytesEntry } from '../../state-stores/window-bytes-store.ts';
import type { TestStoreContext } from './store-test-context.ts';

export interface WindowStackFactory {
  (options: { retentionMs: number; windowSizeMs: number; segmentIntervalMs: number }): { store: WindowBytesStore; context: TestStoreContext };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const show = (it: Iterable<WindowBytesEntry>): string[] => [...it].map((e) => `${e.key.toString('latin1')}@${e.windowStart}=${e.value.toString('latin1')}`);

export function windowStoreContract(label: string, make: WindowStackFactory): void {
  describe(`window store contract: ${label}`, () => {
    let open: { store: WindowBytesStore; context: TestStoreContext }[] = [];
    const create = (retentionMs = 100_000, segmentIntervalMs = 10_000) => {
      const made = make({ retentionMs, windowSizeMs: 1_000, segmentIntervalMs });
      open.push(made);
      return made.store;
    };
    afterEach(() => {
      for (const { store, context } of open) {
        if (store.isOpen()) store.close();
        context.cleanup();
      }
      open = [];
    });

    it('puts and fetches by key and window start; null deletes', () => {
      const store = create();
      store.put(b('a'), b('1'), 1_000);
      store.put(b('a'), b('2'), 2_000);
      store.put(b('b'), b('3'), 1_000);
      expect(store.fetch(b('a'), 1_000)?.toString()).toBe('1');
      expect(store.fetch(b('a'), 2_000)?.toString()).toBe('2');
      expect(store.fetch(b('a'), 3_000)).toBeUndefined();
      store.put(b('a'), b('22'), 2_000);
      expect(store.fetch(b('a'), 2_000)?.toString()).toBe('22');
      store.put(b('a'), null, 2_000);
      expect(store.fetch(b('a'), 2_000)).toBeUndefined();
      store.flush();
      expect(store.fetch(b('a'), 1_000)?.toString()).toBe('1');
    });

    it('fetches the windows of one key in a time range, forward and backward, across segments', () => {
      const store = create();
      for (const t of [0, 5_000, 10_000, 15_000, 25_000]) store.put(b('k'), b(String(t)), t);
      store.put(b('k\x00'), b('other'), 10_000); // a key that extends 'k'
      store.put(b('j'), b('other'), 10_000);
      store.put(b('kk'), b('other'), 10_000);
      store.flush();
      store.put(b('k'), b('20000'), 20_000);
      expect(show(store.fetchRange(b('k'), 5_000, 20_000))).toEqual(['k@5000=5000', 'k@10000=10000', 'k@15000=15000', 'k@20000=20000']);
      expect(show(store.fetchRange(b('k'), 5_000, 20_000, true))).toEqual(['k@20000=20000', 'k@15000=15000', 'k@10000=10000', 'k@5000=5000']);
      expect(show(store.fetchRange(b('k'), 6_000, 9_000))).toEqual([]);
      expect(show(store.fetchRange(b('k'), 0, 0))).toEqual(['k@0=0']);
    });

    it('fetches by key range and all keys in a time range', () => {
      const store = create();
      store.put(b('a'), b('1'), 1_000);
      store.put(b('b'), b('2'), 1_000);
      store.put(b('c'), b('3'), 1_000);
      store.put(b('b'), b('4'), 12_000);
      store.flush();
      store.put(b('d'), b('5'), 12_000);
      expect(show(store.fetchKeyRange(b('b'), b('c'), 0, 20_000))).toEqual(['b@1000=2', 'c@1000=3', 'b@12000=4']);
      expect(show(store.fetchKeyRange(null, b('a'), 0, 20_000))).toEqual(['a@1000=1']);
      expect(show(store.fetchAll(1_000, 1_000))).toEqual(['a@1000=1', 'b@1000=2', 'c@1000=3']);
      expect(show(store.all())).toEqual(['a@1000=1', 'b@1000=2', 'c@1000=3', 'b@12000=4', 'd@12000=5']);
      expect(show(store.all(true))).toEqual(['d@12000=5', 'b@12000=4', 'c@1000=3', 'b@1000=2', 'a@1000=1']);
    });

    it('expires windows older than stream time - retention and drops late puts', () => {
      const store = create(20_000, 10_000);
      store.put(b('k'), b('old'), 0);
      store.put(b('k'), b('mid'), 15_000);
      store.flush();
      store.put(b('k'), b('new'), 30_000); // minLive = 10_001
      expect(store.fetch(b('k'), 0)).toBeUndefined();
      expect(store.fetch(b('k'), 15_000)?.toString()).toBe('mid');
      store.put(b('k'), b('late'), 5_000);
      expect(store.fetch(b('k'), 5_000)).toBeUndefined();
      store.flush();
      expect(show(store.fetchRange(b('k'), 0, 40_000))).toEqual(['k@15000=mid', 'k@30000=new']);
      expect(show(store.all())).toEqual(['k@15000=mid', 'k@30000=new']);
    });

    it('restores changelog records keyed by window store key bytes', () => {
      const store = create();
      const context = open[open.length - 1]!.context;
      const restore = context.restores.get(store.name)!;
      const key = (k: string, t: number) => {
        const out = Buffer.alloc(k.length + 12);
        out.write(k, 'latin1');
        out.writeUInt32BE(Math.floor(t / 2 ** 32), k.length);
        out.writeUInt32BE(t % 2 ** 32, k.length + 4);
        return out;
      };
      restore([
        { key: key('a', 1_000), value: b('1'), timestamp: 1_000 },
        { key: key('a', 2_000), value: b('2'), timestamp: 2_000 },
        { key: key('a', 1_000), value: null, timestamp: 3_000 },
      ]);
      expect(show(store.fetchRange(b('a'), 0, 10_000))).toEqual(['a@2000=2']);
    });
  });
}
