import type { GroupCoordinator } from '../../../core/log/group-coordinator.ts';
import type { JoinGroupResult } from '../../../core/log/group.ts';
import { StickyAssignor } from '../../../core/log/assignors/sticky-assignor.ts';
import type { TopicPartitions } from '../../../core/log/assignors/partition-assignor.ts';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../core/log/consumer-protocol.ts';

/** Lets pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A minimal consumer-group client driving the coordinator the way a Kafka consumer does. */
export class TestMember {
  memberId = '';
  generationId = -1;
  leaderId = '';
  assignment: TopicPartitions[] = [];
  lastJoin: JoinGroupResult | null = null;

  constructor(
    private readonly coordinator: GroupCoordinator,
    readonly groupId: string,
    readonly clientId: string,
    readonly topics: string[],
    readonly partitionsPerTopic: Map<string, number>,
    readonly options: { sessionTimeoutMs?: number; rebalanceTimeoutMs?: number; protocols?: string[]; groupInstanceId?: string } = {},
  ) {}

  /** Sends JoinGroup with a v1 Subscription carrying the partitions owned so far. */
  join(): Promise<JoinGroupResult> {
    const metadata = encodeSubscription({ topics: this.topics, ownedPartitions: this.assignment }, 1);
    return this.coordinator
      .joinGroup({
        groupId: this.groupId,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId ?? null,
        clientId: this.clientId,
        sessionTimeoutMs: this.options.sessionTimeoutMs ?? 10_000,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 30_000,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: (this.options.protocols ?? ['sticky']).map((name) => ({ name, metadata })),
      })
      .then((result) => {
        this.memberId = result.memberId;
        this.generationId = result.generationId;
        this.leaderId = result.leaderId;
        this.lastJoin = result;
        return result;
      });
  }

  get isLeader(): boolean {
    return this.memberId === this.leaderId;
  }

  /** Sends SyncGroup; the leader runs the sticky assignor over the members' subscriptions. */
  async sync(): Promise<TopicPartitions[]> {
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (this.isLeader) {
      const members = this.lastJoin!.members.map((m) => {
        const sub = decodeSubscription(m.metadata);
        return {
          memberId: m.memberId,
          topics: sub.topics,
          ownedPartitions: sub.ownedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
        };
      });
      const result = new StickyAssignor().assign(members, this.partitionsPerTopic);
      assignments = [...result].map(([memberId, list]) => ({ memberId, assignment: encodeAssignment({ assignedPartitions: list }) }));
    }
    const { assignment } = await this.coordinator.syncGroup({
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      assignments,
    });
    this.assignment = decodeAssignment(assignment).assignedPartitions;
    return this.assignment;
  }

  heartbeat(): void {
    this.coordinator.heartbeat({ groupId: this.groupId, generationId: this.generationId, memberId: this.memberId });
  }

  leave(): void {
    this.coordinator.leaveGroup({ groupId: this.groupId, memberId: this.memberId });
  }

  commit(offsets: { topic: string; partition: number; offset: number; metadata?: string | null }[], generationId = this.generationId): Promise<void> {
    return this.coordinator.commitOffsets({ groupId: this.groupId, generationId, memberId: this.memberId, offsets });
  }

  /** "topic-partition" strings of the current assignment. */
  owned(): string[] {
    return this.assignment.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
  }
}
