import { describe, expect, it } from 'vitest';
import { PendingWrites } from '../../../state-stores/lmdb/pending-writes.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const s = (v: Buffer | null | undefined): string | null | undefined => (v === null || v === undefined ? v : v.toString('latin1'));

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('state-stores/lmdb/pending-writes', () => {
  it('returns the latest write of a key, null for a deletion, undefined when none is pending', () => {
    const p = new PendingWrites();
    p.put(b('a'), b('1'));
    p.put(b('a'), b('22'));
    p.put(b('b'), null);
    expect(s(p.get(b('a')))).toBe('22');
    expect(p.get(b('b'))).toBeNull();
    expect(p.get(b('c'))).toBeUndefined();
    expect(p.size).toBe(2);
  });

  it('keeps the empty key and keys that differ only in length', () => {
    const p = new PendingWrites();
    p.put(Buffer.alloc(0), b('e'));
    p.put(b('a'), b('1'));
    p.put(b('a\u0000'), b('2'));
    expect(s(p.get(Buffer.alloc(0)))).toBe('e');
    expect([...p.range(null, null)].map(([k, v]) => [s(k), s(v)])).toEqual([
      ['', 'e'],
      ['a', '1'],
      ['a\u0000', '2'],
    ]);
  });

  it('hands out copies that later writes, compaction and clear() do not change', () => {
    const p = new PendingWrites();
    p.put(b('k'), b('first'));
    const got = p.get(b('k'))!;
    const [[key, value]] = [...p.range(null, null)] as [[Buffer, Buffer]];
    for (let i = 0; i < 50_000; i++) p.put(b('k'), b(`v${i}`));
    p.clear();
    p.put(b('k'), b('other'));
    expect(s(got)).toBe('first');
    expect(s(key)).toBe('k');
    expect(s(value)).toBe('first');
  });

  it('counts the bytes it holds, compacts superseded records instead of growing, and drops them on clear()', () => {
    const p = new PendingWrites();
    const empty = p.bytes;
    for (let i = 0; i < 100_000; i++) p.put(b(`key${i % 100}`), Buffer.alloc(100));
    // 100 live keys of ~115 bytes: superseded records are compacted away, the arena stays small.
    expect(p.bytes).toBeLessThan(256 * 1024);
    for (let i = 0; i < 10_000; i++) p.put(b(`other${i}`), Buffer.alloc(100));
    expect(p.bytes).toBeGreaterThan(10_000 * 100);
    p.clear();
    expect(p.bytes).toBe(empty);
    expect(p.size).toBe(0);
  });

  it('visits the latest write of every key in key order with forEachSorted, also after a range sorted older writes', () => {
    const p = new PendingWrites();
    for (const k of ['d', 'a', 'c', 'b']) p.put(b(k), b('old'));
    expect([...p.range(null, null)]).toHaveLength(4); // sorts
    for (const k of ['d', 'a', 'c', 'b']) p.put(b(k), k === 'c' ? null : b(k.toUpperCase()));
    const seen: [string, string | null][] = [];
    p.forEachSorted((k, v) => seen.push([s(k)!, v === null ? null : s(v)!]));
    expect(seen).toEqual([
      ['a', 'A'],
      ['b', 'B'],
      ['c', null],
      ['d', 'D'],
    ]);
  });

  it('ranges see updates and deletions made during the iteration', () => {
    const p = new PendingWrites();
    for (const k of ['a', 'b', 'c', 'd']) p.put(b(k), b('0'));
    const out: [string, string | null][] = [];
    for (const [k, v] of p.range(null, null)) {
      out.push([s(k)!, s(v)!]);
      if (s(k) === 'a') {
        p.put(b('c'), b('1'));
        p.delete(b('d'));
      }
    }
    expect(out).toEqual([
      ['a', '0'],
      ['b', '0'],
      ['c', '1'],
    ]);
  });

  it('ranges between writes of new keys merge the recently added keys with the sorted ones (window store puts and fetches)', () => {
    const p = new PendingWrites();
    const model = new Map<string, string>();
    const r = rng(7);
    const keys = (from: string | null, to: string | null, reverse: boolean) => {
      const ks = [...model.keys()].filter((k) => (from === null || k >= from) && (to === null || k <= to)).sort(cmp);
      return reverse ? ks.reverse() : ks;
    };
    for (let i = 0; i < 3_000; i++) {
      const k = `k${Math.floor(r() * 400)}-${String(i).padStart(5, '0')}`; // mostly new keys, like sequence-numbered window keys
      p.put(b(k), b(`v${i}`));
      model.set(k, `v${i}`);
      if (i % 97 === 0 && model.size > 0) {
        const victim = [...model.keys()][Math.floor(r() * model.size)]!;
        p.delete(b(victim));
        model.delete(victim);
      }
      const from = r() < 0.2 ? null : `k${Math.floor(r() * 400)}`;
      const to = r() < 0.2 ? null : `k${Math.floor(r() * 400)}~`;
      const reverse = r() < 0.3;
      const got = [...p.range(from === null ? null : b(from), to === null ? null : b(to), reverse)].map(([k, v]) => `${s(k)}=${s(v)}`);
      expect(got, `range ${from}..${to}${reverse ? ' reverse' : ''} after ${i + 1} writes`).toEqual(keys(from, to, reverse).map((k) => `${k}=${model.get(k)}`));
    }
    const seen: string[] = [];
    p.forEachSorted((k, v) => seen.push(`${s(k)}=${s(v)}`));
    expect(seen).toEqual(keys(null, null, false).map((k) => `${k}=${model.get(k)}`));
  });

  it('a range iterator keeps its order while new keys are added during the iteration', () => {
    const p = new PendingWrites();
    for (const k of ['b', 'd', 'f']) p.put(b(k), b(k));
    expect([...p.range(null, null)].length).toBe(3); // sorted
    p.put(b('c'), b('c')); // recent run
    const it = p.range(null, null);
    const got = [s(it.next().value![0])];
    p.put(b('a'), b('a'));
    p.put(b('e'), b('e'));
    for (let n = it.next(); !n.done; n = it.next()) got.push(s(n.value[0]));
    expect(got).toEqual(['b', 'c', 'd', 'f']);
    expect([...p.range(null, null)].map(([k]) => s(k))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('matches a reference model under random puts, deletions, deletes, ranges and clears', () => {
    const p = new PendingWrites();
    const model = new Map<string, string | null>();
    const next = rng(7);
    const key = (): string => String.fromCharCode(97 + Math.floor(next() * 8)).repeat(Math.floor(next() * 4));
    for (let i = 0; i < 20_000; i++) {
      const r = next();
      const k = key();
      if (r < 0.5) {
        const v = next() < 0.2 ? null : `v${i}`.repeat(1 + Math.floor(next() * 40));
        p.put(b(k), v === null ? null : b(v));
        model.set(k, v);
      } else if (r < 0.6) {
        expect(p.delete(b(k))).toBe(model.delete(k));
      } else if (r < 0.7) {
        expect(s(p.get(b(k)))).toBe(model.get(k));
      } else if (r < 0.995) {
        const k2 = key();
        const [from, to] = cmp(k, k2) <= 0 ? [k, k2] : [k2, k];
        const reverse = next() < 0.5;
        const open = next();
        const lo = open < 0.2 ? null : from;
        const hi = open > 0.8 ? null : to;
        const expected = [...model.entries()]
          .filter(([mk]) => (lo === null || mk >= lo) && (hi === null || mk <= hi))
          .sort(([x], [y]) => cmp(x, y));
        if (reverse) expected.reverse();
        const got = [...p.range(lo === null ? null : b(lo), hi === null ? null : b(hi), reverse)].map(([gk, gv]) => [s(gk), s(gv)]);
        expect(got).toEqual(expected);
      } else {
        p.clear();
        model.clear();
      }
      expect(p.size).toBe(model.size);
    }
  });

  it('sorts many keys in byte order: shared leading bytes, keys that prefix others, zero and 0xff bytes, equal 4-byte prefixes', () => {
    const p = new PendingWrites();
    const next = rng(7);
    const model = new Set<string>();
    const alphabet = ['\x00', '\x01', 'a', 'b', '\x7f', '\x80', '\xff'];
    for (let i = 0; i < 3000; i++) {
      let key = 'user-';
      const len = Math.floor(next() * 9);
      for (let j = 0; j < len; j++) key += alphabet[Math.floor(next() * alphabet.length)];
      model.add(key);
      p.put(b(key), b(String(i)));
    }
    const seen: string[] = [];
    p.forEachSorted((k) => seen.push(s(k)!));
    expect(seen).toEqual([...model].sort(cmp));
  });
});
