/**
 * The request and response shapes of the {@link GroupCoordinator}: one per Kafka group API
 * (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups),
 * so the Kafka-protocol broker can map each request onto the coordinator one to one.
 */
import type { GroupProtocol, GroupState } from './group.ts';
import type { OffsetCommit } from './offset-store.ts';

/** A JoinGroup request. */
export interface JoinGroupRequest {
  readonly groupId: string;
  /** `''` for a member joining for the first time. */
  readonly memberId: string;
  /** Static membership id (`group.instance.id`). */
  readonly groupInstanceId?: string | null;
  readonly clientId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** `consumer` for consumer groups. */
  readonly protocolType: string;
  /** Supported assignors in preference order, each with its Subscription bytes. */
  readonly protocols: readonly GroupProtocol[];
}

/** A SyncGroup request; only the leader sends assignments. */
export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

/** A Heartbeat request. */
export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
}

/** A LeaveGroup request. */
export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly memberId: string;
}

/** An OffsetCommit request; `generationId` -1 with memberId `''` is a standalone commit (group Empty). */
export interface CommitOffsetsRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly offsets: readonly OffsetCommit[];
}

/** An OffsetFetch request; all committed partitions of the group when `partitions` is omitted. */
export interface FetchOffsetsRequest {
  readonly groupId: string;
  readonly partitions?: readonly { topic: string; partition: number }[];
}

/** One fetched offset; `offset` -1 and `metadata` null when nothing is committed. */
export interface FetchedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** A group as `describeGroups` reports it. Metadata, assignment and protocol are filled only when Stable. */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: {
    memberId: string;
    clientId: string;
    groupInstanceId: string | null;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }[];
}

/** One entry of `listGroups`. */
export interface GroupListing {
  readonly groupId: string;
  readonly protocolType: string;
  readonly state: GroupState;
}
