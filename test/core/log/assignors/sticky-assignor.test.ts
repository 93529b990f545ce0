import { describe, expect, it } from 'vitest';
import {
  flattenTopicPartitions,
  type AssignorMember,
  type GroupAssignment,
} from '../../../../core/log/assignors/partition-assignor.ts';
import { StickyAssignor } from '../../../../core/log/assignors/sticky-assignor.ts';
import { assignAndCheck, counts, flat } from './assignment-properties.ts';

/** Members for the next generation: each owns what `previous` gave it. */
function next(previous: GroupAssignment, memberIds: string[], topics: string[]): AssignorMember[] {
  return memberIds.map((memberId) => ({
    memberId,
    topics,
    ownedPartitions: flattenTopicPartitions(previous.get(memberId) ?? []),
  }));
}

/** Partitions whose owner differs between two assignments (partitions dropped from the group excluded). */
function moved(before: GroupAssignment, after: GroupAssignment): string[] {
  const ownerBefore = new Map<string, string>();
  for (const [m, tps] of Object.entries(flat(before))) for (const tp of tps) ownerBefore.set(tp, m);
  const out: string[] = [];
  for (const [m, tps] of Object.entries(flat(after))) {
    for (const tp of tps) if (ownerBefore.has(tp) && ownerBefore.get(tp) !== m) out.push(tp);
  }
  return out.sort();
}

function spread(result: GroupAssignment): number {
  const c = counts(result);
  return Math.max(...c) - Math.min(...c);
}

describe('core/log/assignors/sticky-assignor', () => {
  const assignor = new StickyAssignor();
  const topics = ['orders', 'payments'];
  const partitions = new Map([
    ['orders', 6],
    ['payments', 5],
  ]);

  it('is named sticky', () => {
    expect(assignor.name).toBe('sticky');
  });

  it('balances a fresh group', () => {
    const result = assignAndCheck(assignor, next(new Map(), ['a', 'b', 'c'], topics), partitions);
    expect(spread(result)).toBeLessThanOrEqual(1);
  });

  it('keeps a balanced assignment exactly as it is', () => {
    const first = assignAndCheck(assignor, next(new Map(), ['a', 'b', 'c'], topics), partitions);
    const second = assignAndCheck(assignor, next(first, ['a', 'b', 'c'], topics), partitions);
    expect(flat(second)).toEqual(flat(first));
  });

  it('after a member leaves, moves only that member\'s partitions', () => {
    const first = assignAndCheck(assignor, next(new Map(), ['a', 'b', 'c'], topics), partitions);
    const leaverPartitions = flat(first)['b']!;
    const second = assignAndCheck(assignor, next(first, ['a', 'c'], topics), partitions);
    expect(moved(first, second)).toEqual([...leaverPartitions].sort());
    expect(spread(second)).toBeLessThanOrEqual(1);
  });

  it('after a member joins, moves only enough partitions to balance', () => {
    const first = assignAndCheck(assignor, next(new Map(), ['a', 'b'], topics), partitions);
    const second = assignAndCheck(assignor, next(first, ['a', 'b', 'c'], topics), partitions);
    // 11 partitions over 3 members: c must get floor(11/3) = 3, and nothing else needs to move.
    expect(flat(second)['c']).toHaveLength(3);
    expect(moved(first, second)).toHaveLength(3);
    expect(spread(second)).toBeLessThanOrEqual(1);
    for (const tp of flat(second)['a']!) expect(flat(first)['a']).toContain(tp);
    for (const tp of flat(second)['b']!) expect(flat(first)['b']).toContain(tp);
  });

  it('hands new partitions to the emptiest members without moving others', () => {
    const first = assignAndCheck(assignor, next(new Map(), ['a', 'b'], topics), partitions);
    const grown = new Map([
      ['orders', 8],
      ['payments', 5],
    ]);
    const second = assignAndCheck(assignor, next(first, ['a', 'b'], topics), grown);
    expect(moved(first, second)).toEqual([]);
    expect(spread(second)).toBeLessThanOrEqual(1);
  });

  it('drops owned partitions the member no longer subscribes to or that no longer exist', () => {
    const result = assignAndCheck(
      assignor,
      [
        {
          memberId: 'a',
          topics: ['t'],
          ownedPartitions: [
            { topic: 't', partition: 0 },
            { topic: 'gone', partition: 0 },
            { topic: 't', partition: 9 },
          ],
        },
        { memberId: 'b', topics: ['t'], ownedPartitions: [{ topic: 't', partition: 0 }] },
      ],
      new Map([
        ['t', 2],
        ['gone', 1],
      ]),
    );
    // Both claim t-0: the smaller id keeps it.
    expect(flat(result)).toEqual({ a: ['t-0'], b: ['t-1'] });
  });

  it('respects unequal subscriptions', () => {
    const result = assignAndCheck(
      assignor,
      [
        { memberId: 'a', topics: ['t'] },
        { memberId: 'b', topics: ['t', 'u'] },
      ],
      new Map([
        ['t', 2],
        ['u', 2],
      ]),
    );
    expect(flat(result)).toEqual({ a: ['t-0', 't-1'], b: ['u-0', 'u-1'] });
  });

  it('rebalances an overloaded member in a larger generation chain and stays balanced', () => {
    let assignment: GroupAssignment = new Map();
    const sequence = [['a'], ['a', 'b'], ['a', 'b', 'c', 'd'], ['b', 'd'], ['b', 'd', 'e'], ['e']];
    for (const ids of sequence) {
      const before = assignment;
      assignment = assignAndCheck(assignor, next(before, ids, topics), partitions);
      expect(spread(assignment)).toBeLessThanOrEqual(1);
      // Members that stayed never lose a partition they owned unless they had more than their share.
      const share = Math.ceil(11 / ids.length);
      for (const id of ids) {
        const kept = flat(before)[id] ?? [];
        if (kept.length <= share - 1) for (const tp of kept) expect(flat(assignment)[id]).toContain(tp);
      }
    }
  });
});
