/**
 * The contract of a consumer-group partition assignor, as Kafka's `ConsumerPartitionAssignor`: the
 * group leader (a client) collects every member's subscription and decides who reads which partition.
 * The coordinator never runs an assignor; it only relays the leader's result.
 */

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Partitions of one topic given to a member. */
export interface TopicPartitions {
  readonly topic: string;
  /** Partition numbers, ascending. */
  readonly partitions: number[];
}

/** One member's subscription, as the assignor sees it. */
export interface AssignorMember {
  readonly memberId: string;
  /** Topics the member subscribes to. */
  readonly topics: readonly string[];
  /** Partitions the member owned in the previous generation (Subscription v1), used by sticky assignors. */
  readonly ownedPartitions?: readonly TopicPartition[];
  /** Assignor-specific bytes from the subscription. */
  readonly userData?: Buffer | null;
}

/** The result: every member id to the partitions it gets (an empty list when it gets none). */
export type GroupAssignment = Map<string, TopicPartitions[]>;

/**
 * Decides which member of a group reads which partition. Implementations are deterministic: the same
 * input always gives the same output, whatever the order of `members`.
 *
 * @example
 * const assignment = new RangeAssignor().assign(
 *   [{ memberId: 'a', topics: ['t'] }, { memberId: 'b', topics: ['t'] }],
 *   new Map([['t', 4]]),
 * );
 * assignment.get('a'); // [{ topic: 't', partitions: [0, 1] }]
 */
export interface PartitionAssignor {
  /** The protocol name members advertise in JoinGroup (`range`, `roundrobin`, `sticky`). */
  readonly name: string;
  /**
   * @param members every member of the group with its subscription
   * @param partitionsPerTopic partition count of each topic; subscribed topics missing here are skipped
   * @returns an entry for every member
   */
  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}

/**
 * Groups a list of topic-partitions by topic, topics and partitions sorted ascending.
 *
 * @example
 * groupByTopic([{ topic: 'b', partition: 1 }, { topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }]);
 * // [{ topic: 'a', partitions: [0] }, { topic: 'b', partitions: [0, 1] }]
 */
export function groupByTopic(partitions: Iterable<TopicPartition>): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    let list = byTopic.get(tp.topic);
    if (list === undefined) {
      list = [];
      byTopic.set(tp.topic, list);
    }
    list.push(tp.partition);
  }
  return [...byTopic.keys()]
    .sort(compareStrings)
    .map((topic) => ({ topic, partitions: byTopic.get(topic)!.sort((x, y) => x - y) }));
}

/** Flattens an assignment entry into topic-partitions, in the order given. */
export function flattenTopicPartitions(list: readonly TopicPartitions[]): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const { topic, partitions } of list) for (const partition of partitions) out.push({ topic, partition });
  return out;
}

/** Code-unit string order (what Java's `String.compareTo` does), independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders topic-partitions by topic, then partition. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/** Members sorted by member id, so assignors do not depend on input order. */
export function sortedMembers(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
}
