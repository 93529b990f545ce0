/**
 * Kafka's `RoundRobinAssignor`: all partitions of all subscribed topics, sorted by topic then
 * partition, are dealt one by one to the members (sorted by id) in a circle, skipping members that do
 * not subscribe to the partition's topic.
 */
import {
  compareStrings,
  groupByTopic,
  sortedMembers,
  type AssignorMember,
  type GroupAssignment,
  type PartitionAssignor,
  type TopicPartition,
} from './partition-assignor.ts';

/**
 * Deals partitions round-robin over the members.
 *
 * @example
 * new RoundRobinAssignor().assign(
 *   [{ memberId: 'a', topics: ['t', 'u'] }, { memberId: 'b', topics: ['t', 'u'] }],
 *   new Map([['t', 1], ['u', 1]]),
 * ); // a -> t[0], b -> u[0]
 */
export class RoundRobinAssignor implements PartitionAssignor {
  readonly name = 'roundrobin';

  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const sorted = sortedMembers(members);
    const owned = new Map<string, TopicPartition[]>();
    for (const m of sorted) owned.set(m.memberId, []);

    const topics = new Set<string>();
    for (const m of sorted) for (const t of m.topics) topics.add(t);

    let next = 0;
    for (const topic of [...topics].sort(compareStrings)) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        // Some member subscribes to `topic`, so this loop ends within one circle.
        while (!sorted[next % sorted.length]!.topics.includes(topic)) next++;
        owned.get(sorted[next % sorted.length]!.memberId)!.push({ topic, partition });
        next++;
      }
    }

    const result: GroupAssignment = new Map();
    for (const [memberId, list] of owned) result.set(memberId, groupByTopic(list));
    return result;
  }
}
