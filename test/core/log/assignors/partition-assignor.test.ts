import { describe, expect, it } from 'vitest';
import {
  compareStrings,
  flattenTopicPartitions,
  groupByTopic,
  sortedMembers,
} from '../../../../core/log/assignors/partition-assignor.ts';

describe('core/log/assignors/partition-assignor', () => {
  it('groups topic-partitions by topic, sorted', () => {
    const grouped = groupByTopic([
      { topic: 'b', partition: 2 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
      { topic: 'a', partition: 0 },
    ]);
    expect(grouped).toEqual([
      { topic: 'a', partitions: [0, 1] },
      { topic: 'b', partitions: [0, 2] },
    ]);
    expect(flattenTopicPartitions(grouped)).toEqual([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 2 },
    ]);
  });

  it('sorts by code unit, not locale', () => {
    expect(['b', 'B', 'a', 'A'].sort(compareStrings)).toEqual(['A', 'B', 'a', 'b']);
    expect(sortedMembers([{ memberId: 'z', topics: [] }, { memberId: 'Z', topics: [] }]).map((m) => m.memberId)).toEqual([
      'Z',
      'z',
    ]);
  });
});
