import { describe, expect, it } from 'vitest';
import { BytesHashTable, hashBytes } from '../../state-stores/bytes-hash-table.ts';

class Entry {
  readonly hash: number;
  constructor(
    readonly key: Buffer,
    readonly value: number,
  ) {
    this.hash = hashBytes(key);
  }
}

describe('state-stores/bytes-hash-table', () => {
  it('hashes equal bytes equally, whatever buffer holds them', () => {
    const big = Buffer.from('xxabcxx');
    expect(hashBytes(big.subarray(2, 5))).toBe(hashBytes(Buffer.from('abc')));
    expect(hashBytes(Buffer.from('abc'))).not.toBe(hashBytes(Buffer.from('abd')));
  });

  it('matches a Map under random adds and removes across growth and shrinking', () => {
    const table = new BytesHashTable<Entry>();
    const model = new Map<string, number>();
    let x = 1;
    const next = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    };
    for (let i = 0; i < 50_000; i++) {
      const k = `k${next() % (i < 25_000 ? 5000 : 50)}`;
      const key = Buffer.from(k);
      const h = hashBytes(key);
      if (next() % 3 === 0) {
        expect(table.remove(key, h)?.value).toBe(model.get(k));
        model.delete(k);
      } else if (table.get(key, h) === undefined) {
        table.add(new Entry(key, i));
        model.set(k, i);
      }
      expect(table.size).toBe(model.size);
    }
    for (const [k, v] of model) expect(table.get(Buffer.from(k), hashBytes(Buffer.from(k)))?.value).toBe(v);
    let n = 0;
    table.forEach(() => n++);
    expect(n).toBe(model.size);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(Buffer.from('k1'), hashBytes(Buffer.from('k1')))).toBeUndefined();
  });
});
