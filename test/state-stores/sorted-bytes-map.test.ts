import { describe, expect, it } from 'vitest';
import { SortedBytesMap } from '../../state-stores/sorted-bytes-map.ts';

const k = (s: string): Buffer => Buffer.from(s);
const keysOf = (m: SortedBytesMap<number>): string[] => [...m.range(null, null)].map(([key]) => key.toString());

describe('state-stores/sorted-bytes-map', () => {
  it('reuses the slots of removed keys without losing or duplicating keys (point operations, then ranges)', () => {
    const m = new SortedBytesMap<number>();
    const model = new Map<string, number>();
    // A sliding window of live keys, as a cache whose keys all miss: add one, remove the eldest.
    for (let i = 0; i < 5000; i++) {
      const key = `k${String(i).padStart(5, '0')}`;
      if (i % 3 === 0) m.set(k(key), i);
      else m.add(k(key), i);
      model.set(key, i);
      if (i >= 100) {
        const old = `k${String(i - 100).padStart(5, '0')}`;
        expect(m.delete(k(old))).toBe(model.get(old));
        model.delete(old);
      }
      if (i % 997 === 0) expect(keysOf(m)).toEqual([...model.keys()].sort());
    }
    expect(m.size).toBe(model.size);
    for (const [key, v] of model) expect(m.get(k(key))).toBe(v);
    expect(m.get(k('k00000'))).toBeUndefined();
    expect(keysOf(m)).toEqual([...model.keys()].sort());
    // Placed keys removed, new keys added after: the range still sees each live key once.
    for (const key of [...model.keys()].slice(0, 50)) {
      m.delete(k(key));
      model.delete(key);
    }
    for (let i = 0; i < 50; i++) {
      m.add(k(`a${i}`), -i);
      model.set(`a${i}`, -i);
    }
    expect(keysOf(m)).toEqual([...model.keys()].sort());
    expect([...m.range(null, null)].map(([, v]) => v)).toEqual([...model.keys()].sort().map((key) => model.get(key)));
  });

  it('clear drops every key, spare slots included', () => {
    const m = new SortedBytesMap<number>();
    for (let i = 0; i < 50; i++) m.add(k(`x${i}`), i);
    for (let i = 0; i < 25; i++) m.delete(k(`x${i}`));
    m.clear();
    expect(m.size).toBe(0);
    expect(keysOf(m)).toEqual([]);
    m.add(k('y'), 1);
    expect(keysOf(m)).toEqual(['y']);
    expect(m.get(k('x30'))).toBeUndefined();
  });
});
