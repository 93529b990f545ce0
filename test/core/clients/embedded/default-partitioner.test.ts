import { describe, expect, it } from 'vitest';
import { DefaultPartitioner } from '../../../../core/clients/embedded/default-partitioner.ts';
import { partitionForKey } from '../../../../core/clients/partitioner.ts';

describe('core/clients/embedded/default-partitioner', () => {
  it('sends keyed messages to murmur2 partitions and null keys to a sticky partition that moves on batch close', () => {
    let r = 0.5;
    const p = new DefaultPartitioner(() => r);
    expect(p.partition('t', 6, Buffer.from('user-7'))).toBe(partitionForKey(Buffer.from('user-7'), 6));
    expect(p.partition('t', 6, null)).toBe(3);
    expect(p.partition('t', 6, null)).toBe(3);
    p.onBatchClosed('t', 1, 6); // another partition: no move
    expect(p.partition('t', 6, null)).toBe(3);
    r = 0;
    p.onBatchClosed('t', 3, 6);
    expect(p.partition('t', 6, null)).toBe(4);
    p.onBatchClosed('u', 0, 1); // single partition topic, nothing to move to
    expect(p.partition('u', 1, null)).toBe(0);
  });
});
