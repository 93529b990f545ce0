import { describe, expect, it } from 'vitest';
import { RangeAssignor } from '../../../../core/log/assignors/range-assignor.ts';
import { assignAndCheck, flat } from './assignment-properties.ts';

describe('core/log/assignors/range-assignor', () => {
  const assignor = new RangeAssignor();

  it('is named range', () => {
    expect(assignor.name).toBe('range');
  });

  it('gives contiguous ranges, the first members one extra', () => {
    const result = assignAndCheck(
      assignor,
      [
        { memberId: 'c', topics: ['t'] },
        { memberId: 'a', topics: ['t'] },
        { memberId: 'b', topics: ['t'] },
      ],
      new Map([['t', 7]]),
    );
    expect(flat(result)).toEqual({ a: ['t-0', 't-1', 't-2'], b: ['t-3', 't-4'], c: ['t-5', 't-6'] });
  });

  it('lines up co-partitioned topics', () => {
    const result = assignAndCheck(
      assignor,
      [
        { memberId: 'a', topics: ['t', 'u'] },
        { memberId: 'b', topics: ['u', 't'] },
      ],
      new Map([
        ['t', 3],
        ['u', 3],
      ]),
    );
    expect(flat(result)).toEqual({ a: ['t-0', 't-1', 'u-0', 'u-1'], b: ['t-2', 'u-2'] });
  });

  it('only counts subscribers per topic and leaves extra members empty', () => {
    const result = assignAndCheck(
      assignor,
      [
        { memberId: 'a', topics: ['t'] },
        { memberId: 'b', topics: ['t', 'u'] },
        { memberId: 'c', topics: ['u'] },
        { memberId: 'd', topics: ['u'] },
      ],
      new Map([
        ['t', 2],
        ['u', 1],
        ['unused', 5],
      ]),
    );
    expect(flat(result)).toEqual({ a: ['t-0'], b: ['t-1', 'u-0'], c: [], d: [] });
  });

  it('skips topics without metadata', () => {
    const result = assignor.assign([{ memberId: 'a', topics: ['missing'] }], new Map());
    expect(flat(result)).toEqual({ a: [] });
  });
});
