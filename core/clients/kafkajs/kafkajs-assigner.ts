/**
 * A Tributary {@link PartitionAssignor} as a kafkajs partition assigner
 * (`({ cluster }) => ({ name, version, protocol({ topics }), assign({ members, topics }) })`), speaking
 * Kafka's ConsumerProtocol on the wire:
 *
 * - `protocol` encodes the member's Subscription v1 (topics and the partitions it owned in the previous
 *   generation, so sticky assignors, the streams assignor included, keep partitions where they were);
 * - `assign` (run by the group leader only) decodes every member's Subscription (written by Tributary,
 *   kafkajs, Java or librdkafka), reads the partition counts of all subscribed topics from the cluster
 *   metadata, runs the assignor, and encodes one Assignment per member.
 */
import type { Assigner, Cluster, GroupMember, GroupMemberAssignment, PartitionAssigner } from 'kafkajs';
import {
  flattenTopicPartitions,
  type AssignorMember,
  type PartitionAssignor,
  type TopicPartitions,
} from '../../log/assignors/partition-assignor.ts';
import { decodeSubscription, encodeAssignment, encodeSubscription } from '../../log/consumer-protocol.ts';

/** Options of {@link toKafkajsAssigner}. */
export interface KafkajsAssignerOptions {
  /** The partitions this member owned in the previous generation (advertised in its Subscription). */
  readonly ownedPartitions?: () => readonly TopicPartitions[];
  /** Called with the consumer's cluster when kafkajs creates the assigner (once per consumer). */
  readonly onCluster?: (cluster: Cluster) => void;
}

/**
 * Adapts a Tributary assignor to kafkajs's `partitionAssigners` API.
 *
 * @param assignor the assignor; its `name` is the protocol name members advertise
 * @param options where the owned partitions come from; a hook receiving the consumer's cluster
 * @returns a kafkajs `PartitionAssigner`
 * @example
 * kafka.consumer({ groupId: 'g', partitionAssigners: [toKafkajsAssigner(new StickyAssignor())] });
 */
export function toKafkajsAssigner(assignor: PartitionAssignor, options: KafkajsAssignerOptions = {}): PartitionAssigner {
  return ({ cluster }) => {
    options.onCluster?.(cluster);
    const assigner: Assigner = {
      name: assignor.name,
      version: 1,
      protocol({ topics }) {
        const ownedPartitions = options.ownedPartitions?.() ?? [];
        return { name: assignor.name, metadata: encodeSubscription({ topics, ownedPartitions }, 1) };
      },
      async assign({ members, topics }) {
        return assignGroup(assignor, cluster, members, topics);
      },
    };
    return assigner;
  };
}

/**
 * The leader's side: decode subscriptions, look up partition counts, assign, encode.
 * @throws InvalidArgumentError for a member whose subscription bytes are malformed
 */
export async function assignGroup(
  assignor: PartitionAssignor,
  cluster: Pick<Cluster, 'addMultipleTargetTopics' | 'findTopicPartitionMetadata'>,
  members: readonly GroupMember[],
  localTopics: readonly string[],
): Promise<GroupMemberAssignment[]> {
  const decoded: AssignorMember[] = members.map((m) => {
    const s = decodeSubscription(m.memberMetadata, `subscription of group member ${m.memberId}`);
    return { memberId: m.memberId, topics: s.topics, ownedPartitions: flattenTopicPartitions(s.ownedPartitions), userData: s.userData };
  });
  const topics = [...new Set([...localTopics, ...decoded.flatMap((m) => m.topics)])].sort();
  // Other members may subscribe to topics this member does not: make the cluster fetch their metadata too.
  await cluster.addMultipleTargetTopics(topics);
  const counts = new Map<string, number>();
  for (const topic of topics) {
    const n = cluster.findTopicPartitionMetadata(topic).length;
    if (n > 0) counts.set(topic, n);
  }
  const result = assignor.assign(decoded, counts);
  return members.map((m) => ({
    memberId: m.memberId,
    memberAssignment: encodeAssignment({ assignedPartitions: result.get(m.memberId) ?? [] }),
  }));
}
