/**
 * The session store contract, written once and run against every inner session store and layer stack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionBytesEntry, SessionBytesStore } from '../../state-stores/session-bytes-store.ts';
import { toSessionStoreKey } from '../../state-stores/session-key-schema.ts';
import type { TestStoreContext } from './store-test-context.ts';

export interface SessionStackFactory {
  (options: { retentionMs: number; segmentIntervalMs: number }): { store: SessionBytesStore; context: TestStoreContext };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const show = (it: Iterable<SessionBytesEntry>): string[] => [...it].map((e) => `${e.key.toString('latin1')}[${e.start},${e.end}]=${e.value.toString('latin1')}`);

export function sessionStoreContract(label: string, make: SessionStackFactory): void {
  describe(`session store contract: ${label}`, () => {
    let open: { store: SessionBytesStore; context: TestStoreContext }[] = [];
    const create = (retentionMs = 100_000, segmentIntervalMs = 10_000) => {
      const made = make({ retentionMs, segmentIntervalMs });
      open.push(made);
      return made;
    };
    afterEach(() => {
      for (const { store, context } of open) {
        if (store.isOpen()) store.close();
        context.cleanup();
      }
      open = [];
    });

    it('puts, fetches and removes sessions', () => {
      const { store } = create();
      store.put(b('u'), 1_000, 5_000, b('3'));
      expect(store.fetchSession(b('u'), 1_000, 5_000)?.toString()).toBe('3');
      expect(store.fetchSession(b('u'), 1_000, 5_001)).toBeUndefined();
      store.flush();
      store.remove(b('u'), 1_000, 5_000);
      expect(store.fetchSession(b('u'), 1_000, 5_000)).toBeUndefined();
      store.flush();
      expect(show(store.all())).toEqual([]);
    });

    it('finds the sessions a record may merge with: end >= earliest end and start <= latest start', () => {
      const { store } = create();
      store.put(b('u'), 0, 1_000, b('a'));
      store.put(b('u'), 10_000, 12_000, b('b'));
      store.flush();
      store.put(b('u'), 20_000, 25_000, b('c'));
      store.put(b('u\x00'), 10_000, 12_000, b('other'));
      store.put(b('v'), 10_000, 12_000, b('other'));
      // a record at 13_000 with gap 5_000: sessions ending >= 8_000 and starting <= 18_000
      expect(show(store.findSessions(b('u'), 8_000, 18_000))).toEqual(['u[10000,12000]=b']);
      expect(show(store.findSessions(b('u'), 0, 30_000))).toEqual(['u[0,1000]=a', 'u[10000,12000]=b', 'u[20000,25000]=c']);
      expect(show(store.findSessions(b('u'), 0, 30_000, true))).toEqual(['u[20000,25000]=c', 'u[10000,12000]=b', 'u[0,1000]=a']);
      expect(show(store.findSessions(b('u'), 1_001, 9_999))).toEqual([]);
      // a session spanning the query: starts before, ends after
      expect(show(store.findSessions(b('u'), 22_000, 22_000))).toEqual(['u[20000,25000]=c']);
    });

    it('finds sessions over a key range', () => {
      const { store } = create();
      store.put(b('a'), 0, 100, b('1'));
      store.put(b('b'), 0, 100, b('2'));
      store.put(b('c'), 50, 150, b('3'));
      store.flush();
      store.put(b('b'), 200, 300, b('4'));
      // one segment: key order, then end within a key
      expect(show(store.findSessionsInKeyRange(b('b'), b('c'), 0, 1_000))).toEqual(['b[0,100]=2', 'b[200,300]=4', 'c[50,150]=3']);
      expect(show(store.all())).toEqual(['a[0,100]=1', 'b[0,100]=2', 'b[200,300]=4', 'c[50,150]=3']);
      store.put(b('a'), 20_000, 20_000, b('5')); // a later segment comes after
      expect(show(store.all())).toEqual(['a[0,100]=1', 'b[0,100]=2', 'b[200,300]=4', 'c[50,150]=3', 'a[20000,20000]=5']);
    });

    it('expires sessions that ended before stream time - retention', () => {
      const { store } = create(20_000, 10_000);
      store.put(b('u'), 0, 1_000, b('old'));
      store.put(b('u'), 14_000, 15_000, b('mid'));
      store.put(b('u'), 40_000, 40_000, b('new')); // minLive = 20_001
      expect(store.fetchSession(b('u'), 0, 1_000)).toBeUndefined();
      expect(store.fetchSession(b('u'), 14_000, 15_000)).toBeUndefined();
      store.put(b('u'), 2_000, 3_000, b('late'));
      store.flush();
      expect(show(store.findSessions(b('u'), 0, 50_000))).toEqual(['u[40000,40000]=new']);
    });

    it('restores changelog records keyed by session store key bytes', () => {
      const { store, context } = create();
      const restore = context.restores.get(store.name)!;
      restore([
        { key: toSessionStoreKey(b('u'), 0, 10), value: b('x'), timestamp: 10 },
        { key: toSessionStoreKey(b('u'), 20, 30), value: b('y'), timestamp: 30 },
        { key: toSessionStoreKey(b('u'), 0, 10), value: null, timestamp: 31 },
      ]);
      expect(show(store.findSessions(b('u'), 0, 100))).toEqual(['u[20,30]=y']);
    });
  });
}
