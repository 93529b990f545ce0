/**
 * Kafka's `RangeAssignor`: topic by topic, the subscribed members (sorted by id) each get one
 * contiguous range of partitions; the first `partitions % members` members get one extra.
 */
import {
  compareStrings,
  sortedMembers,
  type AssignorMember,
  type GroupAssignment,
  type PartitionAssignor,
  type TopicPartitions,
} from './partition-assignor.ts';

/**
 * Assigns contiguous partition ranges per topic. Co-partitioned topics line up: partition `p` of every
 * topic goes to the same member when the members subscribe to the same topics.
 *
 * @example
 * new RangeAssignor().assign(
 *   [{ memberId: 'a', topics: ['t'] }, { memberId: 'b', topics: ['t'] }],
 *   new Map([['t', 3]]),
 * ); // a -> t[0, 1], b -> t[2]
 */
export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range';

  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const sorted = sortedMembers(members);
    const result: GroupAssignment = new Map();
    for (const m of sorted) result.set(m.memberId, []);

    const topics = new Set<string>();
    for (const m of sorted) for (const t of m.topics) topics.add(t);

    for (const topic of [...topics].sort(compareStrings)) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined || count <= 0) continue;
      const subscribers = sorted.filter((m) => m.topics.includes(topic));
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        if (length === 0) return;
        const partitions: number[] = [];
        for (let p = start; p < start + length; p++) partitions.push(p);
        (result.get(m.memberId) as TopicPartitions[]).push({ topic, partitions });
      });
    }
    return result;
  }
}
