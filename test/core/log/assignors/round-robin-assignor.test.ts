import { describe, expect, it } from 'vitest';
import { RoundRobinAssignor } from '../../../../core/log/assignors/round-robin-assignor.ts';
import { assignAndCheck, counts, flat } from './assignment-properties.ts';

describe('core/log/assignors/round-robin-assignor', () => {
  const assignor = new RoundRobinAssignor();

  it('is named roundrobin', () => {
    expect(assignor.name).toBe('roundrobin');
  });

  it('deals all partitions, sorted, over sorted members', () => {
    const result = assignAndCheck(
      assignor,
      [
        { memberId: 'b', topics: ['t', 'u'] },
        { memberId: 'a', topics: ['u', 't'] },
      ],
      new Map([
        ['t', 3],
        ['u', 2],
      ]),
    );
    expect(flat(result)).toEqual({ a: ['t-0', 't-2', 'u-1'], b: ['t-1', 'u-0'] });
  });

  it('skips members not subscribed to a topic', () => {
    const result = assignAndCheck(
      assignor,
      [
        { memberId: 'a', topics: ['t'] },
        { memberId: 'b', topics: ['t', 'u'] },
        { memberId: 'c', topics: ['u'] },
      ],
      new Map([
        ['t', 3],
        ['u', 3],
      ]),
    );
    expect(flat(result)).toEqual({ a: ['t-0', 't-2'], b: ['t-1', 'u-0', 'u-2'], c: ['u-1'] });
  });

  it('balances equal subscriptions within one partition', () => {
    const members = ['m1', 'm2', 'm3', 'm4'].map((memberId) => ({ memberId, topics: ['x', 'y', 'z'] }));
    const result = assignAndCheck(
      assignor,
      members,
      new Map([
        ['x', 5],
        ['y', 3],
        ['z', 7],
      ]),
    );
    const c = counts(result);
    expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
  });
});
