import { describe, expect, it } from 'vitest';
import { PartitionTransactions } from '../../../core/log/partition-transactions.ts';

/** A deterministic pseudo-random sequence (xorshift). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('core/log/partition-transactions', () => {
  it('matches a brute-force model for the first unstable offset, aborted ranges and snapshots', () => {
    const next = random(7);
    const txns = new PartitionTransactions();
    const ongoing = new Map<number, number>();
    const completing: { first: number; marker: number }[] = [];
    const aborted: { producerId: number; firstOffset: number; lastOffset: number }[] = [];
    let hw = 0;
    for (let offset = 0; offset < 3000; offset++) {
      const pid = Math.floor(next() * 6);
      const r = next();
      if (r < 0.55) {
        txns.begin(pid, offset);
        if (!ongoing.has(pid)) ongoing.set(pid, offset);
      } else if (r < 0.75) {
        const commit = next() < 0.5;
        txns.end(pid, offset, commit);
        const first = ongoing.get(pid);
        if (first !== undefined) {
          ongoing.delete(pid);
          completing.push({ first, marker: offset });
          if (!commit) aborted.push({ producerId: pid, firstOffset: first, lastOffset: offset });
        }
      }
      if (next() < 0.5) {
        hw = offset + 1 - Math.floor(next() * 3);
        txns.onHighWatermark(hw);
        for (let i = completing.length - 1; i >= 0; i--) if (completing[i]!.marker < hw) completing.splice(i, 1);
      }
      const firsts = [...ongoing.values(), ...completing.map((c) => c.first)];
      expect(txns.firstUnstableOffset()).toBe(firsts.length === 0 ? -1 : Math.min(...firsts));
      if (offset % 97 === 0) {
        const from = Math.floor(next() * offset);
        const upTo = from + Math.floor(next() * 200);
        const expected = aborted
          .filter((t) => t.firstOffset < upTo && t.lastOffset >= from)
          .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }))
          .sort((a, b) => a.firstOffset - b.firstOffset);
        expect(txns.abortedBetween(from, upTo)).toEqual(expected);
      }
    }
    const buf = Buffer.alloc(txns.encodedSize());
    expect(txns.encodeInto(buf, 0)).toBe(buf.length);
    const copy = new PartitionTransactions();
    expect(copy.decodeFrom(buf, 0)).toBe(buf.length);
    expect(copy.abortedTxns()).toEqual(txns.abortedTxns());
    expect(copy.firstUnstableOffset()).toBe(ongoing.size === 0 ? -1 : Math.min(...ongoing.values()));
    copy.truncateBelow(1500);
    expect(copy.abortedTxns().every((t) => t.lastOffset >= 1500)).toBe(true);
    expect(copy.abortedTxns().length).toBe(aborted.filter((t) => t.lastOffset >= 1500).length);
  });
});
