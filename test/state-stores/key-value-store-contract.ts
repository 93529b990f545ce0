/**
 * The key-value store contract, written once and run against every inner store and every layer stack
 * (Kafka's AbstractKeyValueStoreTest). A stack is made by a factory that returns an initialized bytes
 * store and the context it was initialized with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueBytesStore } from '../../state-stores/key-value-bytes-store.ts';
import { InvalidStateStoreError } from '../../core/errors/streams-errors.ts';
import type { TestStoreContext } from './store-test-context.ts';

export interface KeyValueStackFactory {
  (): { store: KeyValueBytesStore; context: TestStoreContext };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const s = (buf: Buffer): string => buf.toString('latin1');
const entries = (it: Iterable<[Buffer, Buffer]>): [string, string][] => [...it].map(([k, v]) => [s(k), s(v)]);

/** A small seeded PRNG (mulberry32), so the model test is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function keyValueStoreContract(label: string, make: KeyValueStackFactory): void {
  describe(`key-value store contract: ${label}`, () => {
    let open: { store: KeyValueBytesStore; context: TestStoreContext }[] = [];
    const create = () => {
      const made = make();
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

    it('returns undefined for an absent key and the value written for a present one', () => {
      const store = create();
      expect(store.get(b('a'))).toBeUndefined();
      store.put(b('a'), b('1'));
      expect(s(store.get(b('a'))!)).toBe('1');
      store.put(b('a'), b('2'));
      expect(s(store.get(b('a'))!)).toBe('2');
    });

    it('deletes with put(null) and with delete(), which returns the old value', () => {
      const store = create();
      store.put(b('a'), b('1'));
      store.put(b('b'), b('2'));
      store.put(b('a'), null);
      expect(store.get(b('a'))).toBeUndefined();
      expect(s(store.delete(b('b'))!)).toBe('2');
      expect(store.get(b('b'))).toBeUndefined();
      expect(store.delete(b('nope'))).toBeUndefined();
      expect(entries(store.all())).toEqual([]);
    });

    it('keeps the empty key', () => {
      const store = create();
      store.put(Buffer.alloc(0), b('empty'));
      store.put(b('a'), b('1'));
      expect(s(store.get(Buffer.alloc(0))!)).toBe('empty');
      expect(entries(store.all())).toEqual([['', 'empty'], ['a', '1']]);
      expect(entries(store.all(true))).toEqual([['a', '1'], ['', 'empty']]);
      store.flush();
      expect(entries(store.range(null, b('a')))).toEqual([['', 'empty'], ['a', '1']]);
      store.delete(Buffer.alloc(0));
      expect(store.get(Buffer.alloc(0))).toBeUndefined();
    });

    it('ranges are inclusive, in byte order, open at null bounds, and reversible', () => {
      const store = create();
      for (const k of ['b', 'a', 'ab', 'c', '\xff', 'aa', 'B']) store.put(b(k), b(k.toUpperCase()));
      expect(entries(store.all()).map(([k]) => k)).toEqual(['B', 'a', 'aa', 'ab', 'b', 'c', '\xff']);
      expect(entries(store.range(b('aa'), b('b')))).toEqual([['aa', 'AA'], ['ab', 'AB'], ['b', 'B']]);
      expect(entries(store.range(b('aa'), b('b'), true))).toEqual([['b', 'B'], ['ab', 'AB'], ['aa', 'AA']]);
      expect(entries(store.range(null, b('a'))).map(([k]) => k)).toEqual(['B', 'a']);
      expect(entries(store.range(b('c'), null)).map(([k]) => k)).toEqual(['c', '\xff']);
      expect(entries(store.range(b('c'), null, true)).map(([k]) => k)).toEqual(['\xff', 'c']);
      expect(entries(store.range(b('a0'), b('a1')))).toEqual([]);
      expect(entries(store.range(b('c'), b('a')))).toEqual([]);
      expect(entries(store.all(true)).map(([k]) => k)).toEqual(['\xff', 'c', 'b', 'ab', 'aa', 'a', 'B']);
    });

    it('scans by prefix in byte order', () => {
      const store = create();
      for (const k of ['ab', 'a', 'b', 'abc', 'ac', 'a\xff', 'a\xff\xff', 'b\x00']) store.put(b(k), b('v'));
      expect(entries(store.prefixScan(b('a'))).map(([k]) => k)).toEqual(['a', 'ab', 'abc', 'ac', 'a\xff', 'a\xff\xff']);
      expect(entries(store.prefixScan(b('ab'))).map(([k]) => k)).toEqual(['ab', 'abc']);
      expect(entries(store.prefixScan(b('a\xff'))).map(([k]) => k)).toEqual(['a\xff', 'a\xff\xff']);
      expect(entries(store.prefixScan(b('b'))).map(([k]) => k)).toEqual(['b', 'b\x00']);
      expect(entries(store.prefixScan(b('z')))).toEqual([]);
    });

    it('puts several entries with putAll', () => {
      const store = create();
      store.put(b('x'), b('0'));
      store.putAll([
        [b('a'), b('1')],
        [b('b'), b('2')],
        [b('x'), null],
      ]);
      expect(entries(store.all())).toEqual([['a', '1'], ['b', '2']]);
    });

    it('sees its writes across flush and counts entries', () => {
      const store = create();
      for (let i = 0; i < 100; i++) store.put(b(`k${String(i).padStart(3, '0')}`), b(`v${i}`));
      store.flush();
      expect(s(store.get(b('k042'))!)).toBe('v42');
      store.put(b('k042'), b('new'));
      expect(s(store.get(b('k042'))!)).toBe('new');
      expect(store.approximateNumEntries()).toBeGreaterThanOrEqual(100);
      expect([...store.all()].length).toBe(100);
    });

    it('allows writes while a range is iterated (new keys ahead may or may not be seen)', () => {
      const store = create();
      for (const k of ['a', 'b', 'c', 'd', 'e']) store.put(b(k), b('1'));
      store.flush();
      const seen: string[] = [];
      for (const [k] of store.all()) {
        seen.push(s(k));
        store.delete(k);
        if (s(k) === 'b') store.put(b('bb'), b('2'));
      }
      expect(seen.filter((k) => k !== 'bb')).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(entries(store.all())).toEqual(seen.includes('bb') ? [] : [['bb', '2']]);
    });

    it('returns buffers that later writes do not change', () => {
      const store = create();
      store.put(b('a'), b('1'));
      store.flush();
      const v = store.get(b('a'))!;
      const [first] = [...store.all()];
      store.put(b('a'), b('2'));
      store.flush();
      expect(s(v)).toBe('1');
      expect(s(first![1])).toBe('1');
    });

    it('matches a reference model under random writes, deletes, flushes and ranges', () => {
      const store = create();
      const model = new Map<string, string>();
      const next = rng(42);
      const key = () => String.fromCharCode(97 + Math.floor(next() * 6)).repeat(1 + Math.floor(next() * 3));
      for (let i = 0; i < 2000; i++) {
        const r = next();
        const k = key();
        if (r < 0.55) {
          const v = String(i);
          store.put(b(k), b(v));
          model.set(k, v);
        } else if (r < 0.75) {
          store.delete(b(k));
          model.delete(k);
        } else if (r < 0.8) {
          store.flush();
        } else {
          const k2 = key();
          const [from, to] = k < k2 ? [k, k2] : [k2, k];
          const reverse = r > 0.9;
          const expected = [...model.entries()]
            .filter(([mk]) => mk >= from && mk <= to)
            .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
          if (reverse) expected.reverse();
          expect(entries(store.range(b(from), b(to), reverse))).toEqual(expected);
        }
      }
      const all = [...model.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      expect(entries(store.all())).toEqual(all);
      for (const [k, v] of all) expect(s(store.get(b(k))!)).toBe(v);
    });

    it('throws InvalidStateStoreError once closed', () => {
      const store = create();
      store.put(b('a'), b('1'));
      store.flush();
      store.close();
      expect(store.isOpen()).toBe(false);
      expect(() => store.get(b('a'))).toThrow(InvalidStateStoreError);
      expect(() => store.put(b('a'), b('1'))).toThrow(InvalidStateStoreError);
    });

    it('wipe() drops all data', () => {
      const store = create();
      store.put(b('a'), b('1'));
      store.flush();
      store.put(b('b'), b('2'));
      store.wipe?.();
      expect(entries(store.all())).toEqual([]);
      expect(store.get(b('a'))).toBeUndefined();
    });
  });
}
