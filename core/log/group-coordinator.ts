/**
 * Kafka's group coordinator, in process: the JoinGroup / SyncGroup / Heartbeat / LeaveGroup membership
 * protocol, committed offsets (through {@link OffsetStore}) and the admin operations on groups. The
 * embedded consumer calls it directly; the Kafka-protocol broker maps each request onto it one to one.
 * Requests are validated here with Kafka's error semantics; rebalances and timers run in
 * {@link GroupRebalancer} (see there for the steps of a rebalance). Each member's session expires
 * `sessionTimeoutMs` after its last JoinGroup, SyncGroup, Heartbeat or OffsetCommit.
 */
import { randomUUID } from 'node:crypto';
import {
  GroupIdNotFoundError,
  GroupNotEmptyError,
  IllegalGenerationError,
  InconsistentGroupProtocolError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../errors/group-errors.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError } from '../errors/log-errors.ts';
import type { TributaryError } from '../errors/tributary-error.ts';
import type { Clock } from '../time/clock.ts';
import {
  Group,
  GroupMember,
  createWaiter,
  type GroupProtocol,
  type GroupState,
  type JoinGroupResult,
  type SyncGroupResult,
} from './group.ts';
import { GroupRebalancer } from './group-rebalancer.ts';
import type {
  CommitOffsetsRequest,
  FetchOffsetsRequest,
  FetchedOffset,
  GroupDescription,
  GroupListing,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  SyncGroupRequest,
} from './group-requests.ts';
import type { LogManagerApi } from './log-contracts.ts';

export type {
  CommitOffsetsRequest,
  FetchOffsetsRequest,
  FetchedOffset,
  GroupDescription,
  GroupListing,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  SyncGroupRequest,
} from './group-requests.ts';
export type { JoinGroupResult, SyncGroupResult } from './group.ts';
import { OffsetStore, type OffsetCommit } from './offset-store.ts';

/** Options for {@link GroupCoordinator}. */
export interface GroupCoordinatorOptions {
  readonly logManager: LogManagerApi;
  readonly clock: Clock;
  /** Kafka's `group.initial.rebalance.delay.ms`; default 0 for the embedded log (Kafka: 3000). */
  readonly initialRebalanceDelayMs?: number;
  /** Partitions of `__consumer_offsets` when it is created (default 1). */
  readonly offsetsTopicPartitions?: number;
  /** Kafka's `group.min.session.timeout.ms` (default 1 here; Kafka: 6000). */
  readonly minSessionTimeoutMs?: number;
  /** Kafka's `group.max.session.timeout.ms` (default 1800000). */
  readonly maxSessionTimeoutMs?: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * The group coordinator. Call {@link GroupCoordinator.start} before anything else.
 *
 * @example
 * const coordinator = new GroupCoordinator({ logManager, clock: systemClock });
 * await coordinator.start();
 * const joined = await coordinator.joinGroup({ groupId: 'g', memberId: '', clientId: 'c',
 *   sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, protocolType: 'consumer',
 *   protocols: [{ name: 'range', metadata: encodeSubscription({ topics: ['orders'] }) }] });
 */
export class GroupCoordinator {
  private readonly offsets: OffsetStore;
  private readonly rebalancer: GroupRebalancer;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private readonly groups = new Map<string, Group>();
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(options: GroupCoordinatorOptions) {
    this.rebalancer = new GroupRebalancer({
      clock: options.clock,
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
      isClosed: () => this.state === 'closed',
    });
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 1;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 1_800_000;
    this.offsets = new OffsetStore({
      logManager: options.logManager,
      clock: options.clock,
      ...(options.offsetsTopicPartitions === undefined ? {} : { offsetsTopicPartitions: options.offsetsTopicPartitions }),
    });
  }

  /** Loads committed offsets from `__consumer_offsets`; groups that have offsets appear as Empty. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new IllegalStateError(`GroupCoordinator cannot start: it is ${this.state}`);
    await this.offsets.load();
    for (const groupId of this.offsets.groupIds()) this.groups.set(groupId, new Group(groupId));
    this.state = 'started';
  }

  /**
   * Joins (or rejoins) a group; resolves when the rebalance completes.
   * @throws InvalidArgumentError (bad group id or session timeout), UnknownMemberIdError,
   *   InconsistentGroupProtocolError; the promise rejects with RebalanceInProgressError if superseded
   *   by another JoinGroup of the same member, UnknownMemberIdError if the member is removed meanwhile
   */
  joinGroup(req: JoinGroupRequest): Promise<JoinGroupResult> {
    try {
      this.ensureStarted();
      validateGroupId(req.groupId);
      if (
        !Number.isInteger(req.sessionTimeoutMs) ||
        req.sessionTimeoutMs < this.minSessionTimeoutMs ||
        req.sessionTimeoutMs > this.maxSessionTimeoutMs
      ) {
        throw new InvalidArgumentError(
          `Session timeout ${req.sessionTimeoutMs} ms of group "${req.groupId}" is outside [${this.minSessionTimeoutMs}, ${this.maxSessionTimeoutMs}]`,
        );
      }
      let group = this.groups.get(req.groupId);
      if (group === undefined) {
        if (req.memberId !== '') throw new UnknownMemberIdError(req.groupId, req.memberId);
        group = new Group(req.groupId);
        this.groups.set(req.groupId, group);
      }
      if (!group.supportsProtocols(req.protocolType, req.protocols, req.memberId)) {
        throw new InconsistentGroupProtocolError(
          req.groupId,
          `protocol type "${req.protocolType}" with [${req.protocols.map((p) => p.name).join(', ')}] does not match the group (type "${group.protocolType ?? ''}")`,
        );
      }
      const member = req.memberId === '' ? this.addMember(group, req) : this.updateMember(group, req);
      const waiter = createWaiter<JoinGroupResult>();
      member.joinWaiter?.reject(new RebalanceInProgressError(req.groupId));
      member.joinWaiter = waiter;
      this.rebalancer.memberJoined(group, member);
      return waiter.promise;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private addMember(group: Group, req: JoinGroupRequest): GroupMember {
    const instanceId = req.groupInstanceId ?? null;
    const previous = instanceId === null ? undefined : group.staticMember(instanceId);
    if (previous !== undefined) {
      // A static member restarted: the old identity is fenced and replaced.
      this.rebalancer.removeMember(group, previous, new UnknownMemberIdError(group.groupId, previous.memberId), false);
    }
    const member = new GroupMember({
      memberId: `${instanceId ?? req.clientId}-${randomUUID()}`,
      groupInstanceId: instanceId,
      clientId: req.clientId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
    });
    group.add(member);
    return member;
  }

  private updateMember(group: Group, req: JoinGroupRequest): GroupMember {
    const member = group.get(req.memberId);
    const instanceId = req.groupInstanceId ?? null;
    if (member === undefined || (instanceId !== null && member.groupInstanceId !== instanceId)) {
      throw new UnknownMemberIdError(group.groupId, req.memberId);
    }
    member.clientId = req.clientId;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.protocolType = req.protocolType;
    member.protocols = req.protocols;
    return member;
  }

  /**
   * Sends the leader's assignments (or, for followers, waits for them).
   * @throws UnknownMemberIdError, IllegalGenerationError, RebalanceInProgressError
   */
  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResult> {
    try {
      this.ensureStarted();
      const group = this.groups.get(req.groupId);
      const member = group?.get(req.memberId);
      if (group === undefined || member === undefined) throw new UnknownMemberIdError(req.groupId, req.memberId);
      if (req.generationId !== group.generationId) {
        throw new IllegalGenerationError(req.groupId, req.generationId, group.generationId);
      }
      switch (group.state) {
        case 'PreparingRebalance':
          throw new RebalanceInProgressError(req.groupId);
        case 'Stable':
          group.pendingSync.delete(member.memberId);
          this.rebalancer.scheduleSession(group, member);
          return Promise.resolve({ assignment: member.assignment });
        case 'CompletingRebalance': {
          const waiter = createWaiter<SyncGroupResult>();
          member.syncWaiter?.reject(new RebalanceInProgressError(req.groupId));
          member.syncWaiter = waiter;
          group.pendingSync.delete(member.memberId);
          this.rebalancer.scheduleSession(group, member);
          if (member.memberId === group.leaderId) this.rebalancer.completeSync(group, req.assignments);
          return waiter.promise;
        }
        default:
          throw new UnknownMemberIdError(req.groupId, req.memberId);
      }
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Keeps a member's session alive.
   * @throws UnknownMemberIdError, IllegalGenerationError, RebalanceInProgressError (the member must rejoin)
   */
  heartbeat(req: HeartbeatRequest): void {
    this.ensureStarted();
    const group = this.groups.get(req.groupId);
    const member = group?.get(req.memberId);
    if (group === undefined || member === undefined || group.is('Empty') || group.is('Dead')) {
      throw new UnknownMemberIdError(req.groupId, req.memberId);
    }
    if (group.is('PreparingRebalance')) {
      this.rebalancer.scheduleSession(group, member);
      throw new RebalanceInProgressError(req.groupId);
    }
    if (req.generationId !== group.generationId) {
      throw new IllegalGenerationError(req.groupId, req.generationId, group.generationId);
    }
    this.rebalancer.scheduleSession(group, member);
  }

  /**
   * Removes a member at its request and rebalances the rest.
   * @throws UnknownMemberIdError
   */
  leaveGroup(req: LeaveGroupRequest): void {
    this.ensureStarted();
    const group = this.groups.get(req.groupId);
    const member = group?.get(req.memberId);
    if (group === undefined || member === undefined) throw new UnknownMemberIdError(req.groupId, req.memberId);
    this.rebalancer.removeMember(group, member, new UnknownMemberIdError(req.groupId, req.memberId), true);
  }

  /**
   * Commits offsets, as Kafka's OffsetCommit: standalone (generation < 0) only while the group is Empty;
   * otherwise the member must belong to the current generation (also allowed while rebalancing, not
   * while waiting for the assignment).
   * @throws UnknownMemberIdError, IllegalGenerationError, RebalanceInProgressError, InvalidArgumentError
   */
  async commitOffsets(req: CommitOffsetsRequest): Promise<void> {
    this.ensureStarted();
    validateGroupId(req.groupId);
    let group = this.groups.get(req.groupId);
    if (group === undefined) {
      if (req.generationId >= 0) throw new UnknownMemberIdError(req.groupId, req.memberId);
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    } else if (!(req.generationId < 0 && group.is('Empty'))) {
      if (group.is('CompletingRebalance')) throw new RebalanceInProgressError(req.groupId);
      const member = group.get(req.memberId);
      if (member === undefined) throw new UnknownMemberIdError(req.groupId, req.memberId);
      if (req.generationId !== group.generationId) {
        throw new IllegalGenerationError(req.groupId, req.generationId, group.generationId);
      }
      this.rebalancer.scheduleSession(group, member);
    }
    await this.offsets.commit(req.groupId, req.offsets);
  }

  /**
   * Checks the consumer named in a transactional offset commit against the group, as Kafka does for
   * TxnOffsetCommit v3+ (KIP-447): a member id the group does not have is UNKNOWN_MEMBER_ID, a generation
   * (>= 0) other than the group's ILLEGAL_GENERATION, so a zombie of an older generation cannot commit.
   * An empty member id with generation -1 checks nothing.
   * @throws UnknownMemberIdError, IllegalGenerationError
   */
  checkTxnOffsetCommitMember(groupId: string, memberId: string, generationId: number): void {
    this.ensureStarted();
    const group = this.groups.get(groupId);
    if (memberId !== '' && group?.get(memberId) === undefined) throw new UnknownMemberIdError(groupId, memberId);
    const current = group?.generationId ?? 0;
    if (generationId >= 0 && generationId !== current) throw new IllegalGenerationError(groupId, generationId, current);
  }

  /** Committed offsets of a group; -1 and null metadata for partitions without a commit. */
  fetchOffsets(req: FetchOffsetsRequest): FetchedOffset[] {
    this.ensureStarted();
    if (req.partitions === undefined) {
      return this.offsets
        .offsetsOf(req.groupId)
        .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata }));
    }
    return req.partitions.map(({ topic, partition }) => {
      const o = this.offsets.get(req.groupId, topic, partition);
      return { topic, partition, offset: o?.offset ?? -1, metadata: o?.metadata ?? null };
    });
  }

  /**
   * Sets committed offsets from outside the group (admin reset). Allowed only while nobody is a member.
   * @throws GroupNotEmptyError
   */
  async setOffsets(groupId: string, offsets: readonly OffsetCommit[]): Promise<void> {
    this.ensureStarted();
    validateGroupId(groupId);
    let group = this.groups.get(groupId);
    if (group !== undefined && !group.is('Empty')) throw new GroupNotEmptyError(groupId);
    if (group === undefined) {
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    await this.offsets.commit(groupId, offsets);
  }

  /**
   * Commits offsets of a committed transaction (the transaction coordinator calls this after the commit
   * markers are written): no member or generation checks, and the group's members and rebalance are not
   * touched. A group that does not exist yet is created Empty.
   * @throws InvalidArgumentError (bad group id, topic, partition, offset or metadata)
   */
  async commitTransactionalOffsets(groupId: string, offsets: readonly OffsetCommit[]): Promise<void> {
    this.ensureStarted();
    validateGroupId(groupId);
    if (!this.groups.has(groupId)) this.groups.set(groupId, new Group(groupId));
    await this.offsets.commit(groupId, offsets);
  }

  /**
   * Deletes committed offsets of a group (all of them when `partitions` is omitted) while it is Empty.
   * @throws GroupIdNotFoundError, GroupNotEmptyError
   */
  async deleteOffsets(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<void> {
    this.ensureStarted();
    const group = this.groups.get(groupId);
    if (group === undefined) throw new GroupIdNotFoundError(groupId);
    if (!group.is('Empty')) throw new GroupNotEmptyError(groupId);
    await this.offsets.delete(groupId, partitions);
  }

  /** Every live group (state not Dead). */
  listGroups(): GroupListing[] {
    this.ensureStarted();
    return [...this.groups.values()]
      .filter((g) => !g.is('Dead'))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  /** Describes a group as Kafka's DescribeGroups; an unknown group is reported `Dead` with no members. */
  describeGroup(groupId: string): GroupDescription {
    this.ensureStarted();
    const group = this.groups.get(groupId);
    if (group === undefined) return { groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
    const stable = group.is('Stable');
    const protocol = stable ? (group.protocolName ?? '') : '';
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocol,
      members: [...group.members].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        groupInstanceId: m.groupInstanceId,
        memberMetadata: stable ? m.metadata(protocol) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /**
   * Deletes Empty groups and their committed offsets (tombstones in `__consumer_offsets`).
   * @returns per group: null, or GroupIdNotFoundError / GroupNotEmptyError / the write failure
   */
  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; error: TributaryError | null }[]> {
    this.ensureStarted();
    const results: { groupId: string; error: TributaryError | null }[] = [];
    for (const groupId of groupIds) {
      const group = this.groups.get(groupId);
      if (group === undefined) {
        results.push({ groupId, error: new GroupIdNotFoundError(groupId) });
        continue;
      }
      if (!group.is('Empty')) {
        results.push({ groupId, error: new GroupNotEmptyError(groupId) });
        continue;
      }
      try {
        await this.offsets.delete(groupId);
        if (this.groups.get(groupId) === group && group.is('Empty')) {
          group.transitionTo('Dead');
          this.groups.delete(groupId);
          results.push({ groupId, error: null });
        } else {
          results.push({ groupId, error: new GroupNotEmptyError(groupId) });
        }
      } catch (e) {
        results.push({ groupId, error: e as TributaryError });
      }
    }
    return results;
  }

  /** Cancels every timer, fails waiting requests with ClosedError and waits for offset writes. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const error = new ClosedError('GroupCoordinator');
    for (const group of this.groups.values()) this.rebalancer.shutdown(group, error);
    this.groups.clear();
    await this.offsets.flush();
  }

  private ensureStarted(): void {
    if (this.state === 'closed') throw new ClosedError('GroupCoordinator');
    if (this.state === 'new') throw new IllegalStateError('GroupCoordinator is not started: call start() first');
  }
}

function validateGroupId(groupId: string): void {
  if (typeof groupId !== 'string' || groupId.length === 0) {
    throw new InvalidArgumentError(`Invalid group id "${String(groupId)}": it must be a non-empty string`);
  }
}
