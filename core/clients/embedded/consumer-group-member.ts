/**
 * One consumer's membership in its group, against the in-process {@link GroupCoordinator}: JoinGroup
 * (one protocol per assignor, metadata = the encoded Subscription), the leader's client-side assignment,
 * SyncGroup, the heartbeat timer on the injected Clock, offset commits fenced by generation, LeaveGroup.
 *
 * A heartbeat that answers RebalanceInProgress, IllegalGeneration or UnknownMemberId marks the member as
 * needing to rejoin and calls `onRejoinNeeded`, so the consumer stops fetching and rebalances.
 */
import type { GroupCoordinator } from '../../log/group-coordinator.ts';
import type { LogManagerApi } from '../../log/log-contracts.ts';
import type { Clock, TimerHandle } from '../../time/clock.ts';
import type { OffsetCommit } from '../../log/offset-store.ts';
import {
  flattenTopicPartitions,
  type AssignorMember,
  type PartitionAssignor,
  type TopicPartitions,
} from '../../log/assignors/partition-assignor.ts';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../log/consumer-protocol.ts';
import {
  IllegalGenerationError,
  InconsistentGroupProtocolError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../errors/group-errors.ts';
import type { ClientLogger } from '../log-client.ts';

/** Options of {@link ConsumerGroupMember}. */
export interface ConsumerGroupMemberOptions {
  readonly groupId: string;
  readonly clientId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Assignors in order of preference. */
  readonly assignors: readonly PartitionAssignor[];
  readonly coordinator: GroupCoordinator;
  readonly logManager: LogManagerApi;
  readonly clock: Clock;
  readonly logger: ClientLogger;
  /** Called (once per detection) when a heartbeat or commit finds that the member must rejoin. */
  readonly onRejoinNeeded: () => void;
  /** Called after each successful heartbeat. */
  readonly onHeartbeat?: () => void;
}

/** The outcome of a completed join + sync. */
export interface JoinOutcome {
  readonly generationId: number;
  readonly memberId: string;
  readonly leaderId: string;
  readonly isLeader: boolean;
  readonly protocol: string;
  readonly assignment: TopicPartitions[];
  readonly durationMs: number;
}

/** Whether an error means "rejoin the group" (Kafka's rebalance-needed errors). */
export function isRejoinError(error: unknown): boolean {
  return (
    error instanceof RebalanceInProgressError ||
    error instanceof IllegalGenerationError ||
    error instanceof UnknownMemberIdError
  );
}

/**
 * Group membership of one consumer.
 *
 * @example
 * const member = new ConsumerGroupMember({ groupId: 'g', ..., onRejoinNeeded: () => signal.wake() });
 * const joined = await member.join(['orders'], []);
 * member.startHeartbeats();
 */
export class ConsumerGroupMember {
  memberId = '';
  generationId = -1;
  leaderId = '';
  protocol = '';
  /** True until the first join completes, and again whenever the group needs this member to rejoin. */
  rejoinNeeded = true;
  private heartbeatTimer: TimerHandle | null = null;
  private joining = false;

  constructor(private readonly options: ConsumerGroupMemberOptions) {}

  /** Whether a join is under way. */
  get isJoining(): boolean {
    return this.joining;
  }

  /**
   * Joins the group and waits for the assignment, retrying while the group keeps rebalancing.
   *
   * @param topics the subscription
   * @param owned the partitions this member owned in the previous generation (sticky assignors use them)
   * @param shouldContinue checked between attempts; returning false aborts with the last error
   * @throws InconsistentGroupProtocolError and other non-retriable coordinator errors
   */
  async join(topics: readonly string[], owned: readonly TopicPartitions[], shouldContinue: () => boolean): Promise<JoinOutcome> {
    const o = this.options;
    const started = o.clock.now();
    this.stopHeartbeats();
    this.joining = true;
    try {
      for (;;) {
        this.rejoinNeeded = false;
        const metadata = encodeSubscription({ topics, ownedPartitions: owned }, 1);
        try {
          const joined = await o.coordinator.joinGroup({
            groupId: o.groupId,
            memberId: this.memberId,
            groupInstanceId: o.groupInstanceId,
            clientId: o.clientId,
            sessionTimeoutMs: o.sessionTimeoutMs,
            rebalanceTimeoutMs: o.rebalanceTimeoutMs,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols: o.assignors.map((a) => ({ name: a.name, metadata })),
          });
          this.memberId = joined.memberId;
          this.generationId = joined.generationId;
          this.leaderId = joined.leaderId;
          this.protocol = joined.protocolName;
          const isLeader = joined.leaderId === joined.memberId;
          const assignments = isLeader ? this.assign(joined.protocolName, joined.members) : [];
          const synced = await o.coordinator.syncGroup({
            groupId: o.groupId,
            generationId: joined.generationId,
            memberId: joined.memberId,
            assignments,
          });
          if (this.rejoinNeeded) continue;
          const decoded = decodeAssignment(synced.assignment, `group "${o.groupId}" member ${joined.memberId}`);
          return {
            generationId: joined.generationId,
            memberId: joined.memberId,
            leaderId: joined.leaderId,
            isLeader,
            protocol: joined.protocolName,
            assignment: decoded.assignedPartitions,
            durationMs: o.clock.now() - started,
          };
        } catch (error) {
          if (!isRejoinError(error) || !shouldContinue()) throw error;
          if (error instanceof UnknownMemberIdError) this.memberId = '';
          o.logger.debug(`Group "${o.groupId}": rejoining after ${(error as Error).message}`);
        }
      }
    } finally {
      this.joining = false;
    }
  }

  /** Starts heartbeating every `heartbeatIntervalMs` (Clock timers). */
  startHeartbeats(): void {
    this.stopHeartbeats();
    const o = this.options;
    const tick = (): void => {
      this.heartbeatTimer = null;
      if (!this.heartbeat()) return;
      this.heartbeatTimer = o.clock.setTimeout(tick, o.heartbeatIntervalMs);
    };
    this.heartbeatTimer = o.clock.setTimeout(tick, o.heartbeatIntervalMs);
  }

  /** Stops the heartbeat timer (the session then expires unless something else keeps it alive). */
  stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) {
      this.options.clock.clearTimeout(this.heartbeatTimer);
      this.heartbeatTimer = null;
    }
  }

  /**
   * Sends one heartbeat now. Returns false (and marks the member for rejoin) when the group rebalances or
   * no longer knows this member.
   */
  heartbeat(): boolean {
    const o = this.options;
    if (this.generationId < 0 || this.rejoinNeeded) return false;
    try {
      o.coordinator.heartbeat({ groupId: o.groupId, generationId: this.generationId, memberId: this.memberId });
      o.onHeartbeat?.();
      return true;
    } catch (error) {
      this.handleGroupError(error);
      return false;
    }
  }

  /**
   * Commits offsets (the next offsets to read) under this member's generation, or as a standalone
   * commit when the member has not joined.
   *
   * @throws RebalanceInProgressError / IllegalGenerationError / UnknownMemberIdError (the member is
   *   also marked for rejoin), or the coordinator's other errors.
   */
  async commit(offsets: readonly OffsetCommit[]): Promise<void> {
    const o = this.options;
    const joined = this.generationId >= 0;
    try {
      await o.coordinator.commitOffsets({
        groupId: o.groupId,
        generationId: joined ? this.generationId : -1,
        memberId: joined ? this.memberId : '',
        offsets,
      });
    } catch (error) {
      if (joined) this.handleGroupError(error);
      throw error;
    }
  }

  /** Asks for a rejoin (the consumer saw a metadata change): heartbeats stop until the next join. */
  requestRejoin(): void {
    this.stopHeartbeats();
    this.rejoinNeeded = true;
  }

  /** Leaves the group (ignored when the coordinator already dropped the member). */
  leave(): void {
    this.stopHeartbeats();
    const o = this.options;
    if (this.memberId === '') return;
    try {
      o.coordinator.leaveGroup({ groupId: o.groupId, memberId: this.memberId });
    } catch (error) {
      if (!(error instanceof UnknownMemberIdError)) o.logger.warn(`Leaving group "${o.groupId}" failed: ${String(error)}`);
    }
    this.memberId = '';
    this.generationId = -1;
    this.rejoinNeeded = true;
  }

  private handleGroupError(error: unknown): void {
    if (!isRejoinError(error)) return;
    if (error instanceof UnknownMemberIdError) {
      this.memberId = '';
      this.generationId = -1;
    }
    this.stopHeartbeats();
    if (!this.rejoinNeeded) {
      this.rejoinNeeded = true;
      this.options.onRejoinNeeded();
    }
  }

  /** The leader's part: decode every subscription, run the chosen assignor, encode each assignment. */
  private assign(
    protocol: string,
    members: readonly { memberId: string; metadata: Buffer }[],
  ): { memberId: string; assignment: Buffer }[] {
    const o = this.options;
    const assignor = o.assignors.find((a) => a.name === protocol);
    if (assignor === undefined) {
      throw new InconsistentGroupProtocolError(o.groupId, `the group chose assignor "${protocol}", which this member lacks`);
    }
    const subscriptions: AssignorMember[] = members.map((m) => {
      const s = decodeSubscription(m.metadata, `group "${o.groupId}" member ${m.memberId}`);
      return {
        memberId: m.memberId,
        topics: s.topics,
        ownedPartitions: flattenTopicPartitions(s.ownedPartitions),
        userData: s.userData,
      };
    });
    const partitionsPerTopic = new Map<string, number>();
    for (const m of subscriptions) {
      for (const topic of m.topics) {
        if (partitionsPerTopic.has(topic)) continue;
        const description = o.logManager.describeTopic(topic);
        if (description !== undefined) partitionsPerTopic.set(topic, description.numPartitions);
      }
    }
    const result = assignor.assign(subscriptions, partitionsPerTopic);
    return subscriptions.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment({ assignedPartitions: result.get(m.memberId) ?? [] }),
    }));
  }
}
