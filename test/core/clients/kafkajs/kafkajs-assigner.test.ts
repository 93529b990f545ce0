import { describe, expect, it } from 'vitest';
import { AssignerProtocol, type Cluster, type PartitionMetadata } from 'kafkajs';
import { assignGroup, toKafkajsAssigner } from '../../../../core/clients/kafkajs/kafkajs-assigner.ts';
import { decodeSubscription, encodeSubscription } from '../../../../core/log/consumer-protocol.ts';
import { RangeAssignor } from '../../../../core/log/assignors/range-assignor.ts';
import { StickyAssignor } from '../../../../core/log/assignors/sticky-assignor.ts';
import { InvalidArgumentError } from '../../../../core/errors/log-errors.ts';

/** A cluster double: partition counts per topic, and the topics the assigner asked metadata for. */
function fakeCluster(counts: Record<string, number>): Cluster & { targets: string[] } {
  const targets: string[] = [];
  const partitions = (n: number): PartitionMetadata[] =>
    Array.from({ length: n }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
  return {
    targets,
    addMultipleTargetTopics: async (topics: string[]) => void targets.push(...topics),
    findTopicPartitionMetadata: (topic: string) => partitions(counts[topic] ?? 0),
  } as unknown as Cluster & { targets: string[] };
}

const logger = { info: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined, namespace: () => logger, setLogLevel: () => undefined };

describe('core/clients/kafkajs/kafkajs-assigner', () => {
  it('protocol() writes a Kafka Subscription v1 with the partitions owned in the previous generation', () => {
    let owned = [{ topic: 'orders', partitions: [1, 3] }];
    let seen: Cluster | null = null;
    const cluster = fakeCluster({});
    const assigner = toKafkajsAssigner(new StickyAssignor(), { ownedPartitions: () => owned, onCluster: (c) => (seen = c) })({ cluster, groupId: 'g', logger });
    expect(seen).toBe(cluster);
    expect(assigner.name).toBe('sticky');
    const { name, metadata } = assigner.protocol({ topics: ['orders'] });
    expect(name).toBe('sticky');
    expect(decodeSubscription(metadata)).toMatchObject({ version: 1, topics: ['orders'], ownedPartitions: [{ topic: 'orders', partitions: [1, 3] }] });
    owned = [];
    expect(decodeSubscription(assigner.protocol({ topics: ['orders'] }).metadata).ownedPartitions).toEqual([]);
    // kafkajs's own decoder reads the same bytes.
    expect(AssignerProtocol.MemberMetadata.decode(metadata)).toMatchObject({ version: 1, topics: ['orders'] });
  });

  it('assign() decodes Tributary and plain kafkajs subscriptions, counts partitions of every subscribed topic, and writes Assignments kafkajs reads', async () => {
    const cluster = fakeCluster({ a: 4, b: 2, missing: 0 });
    const members = [
      { memberId: 'm2', memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['a', 'b'], userData: Buffer.alloc(0) }) },
      { memberId: 'm1', memberMetadata: encodeSubscription({ topics: ['a', 'b', 'missing'] }, 1) },
    ];
    const result = await assignGroup(new RangeAssignor(), cluster, members, ['a']);
    expect(cluster.targets.sort()).toEqual(['a', 'b', 'missing']);
    const byMember = new Map(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    // Range: m1 (smallest id) gets the first half of each topic.
    expect(byMember.get('m1')).toEqual({ a: [0, 1], b: [0] });
    expect(byMember.get('m2')).toEqual({ a: [2, 3], b: [1] });
  });

  it('assign() keeps owned partitions in place with a sticky assignor', async () => {
    const cluster = fakeCluster({ t: 4 });
    const members = [
      { memberId: 'a', memberMetadata: encodeSubscription({ topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [0, 1, 2, 3] }] }, 1) },
      { memberId: 'b', memberMetadata: encodeSubscription({ topics: ['t'] }, 1) },
    ];
    const result = await assignGroup(new StickyAssignor(), cluster, members, ['t']);
    const a = AssignerProtocol.MemberAssignment.decode(result.find((r) => r.memberId === 'a')!.memberAssignment)!.assignment.t!;
    const b = AssignerProtocol.MemberAssignment.decode(result.find((r) => r.memberId === 'b')!.memberAssignment)!.assignment.t!;
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(2);
    expect([...a, ...b].sort()).toEqual([0, 1, 2, 3]);
  });

  it('assign() names the member whose subscription is malformed', async () => {
    const members = [{ memberId: 'broken', memberMetadata: Buffer.from([0, 1, 0, 0]) }];
    await expect(assignGroup(new RangeAssignor(), fakeCluster({}), members, [])).rejects.toThrow(InvalidArgumentError);
    await expect(assignGroup(new RangeAssignor(), fakeCluster({}), members, [])).rejects.toThrow(/group member broken/);
  });
});
