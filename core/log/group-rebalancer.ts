/**
 * The timed half of Kafka's group membership protocol: starting and completing rebalances, the initial
 * rebalance delay, session expiry and members that never send SyncGroup. The {@link GroupCoordinator}
 * validates requests and calls in here; every timer comes from the injected Clock.
 *
 * A rebalance, as in Kafka:
 * 1. A member joins (or leaves, or its session expires): the group goes to PreparingRebalance.
 * 2. The join phase ends when every known member has rejoined, or after the longest rebalance timeout
 *    (members that did not rejoin are removed). A formerly empty group first waits
 *    `initialRebalanceDelayMs`, extended while new members keep arriving, up to the rebalance timeout.
 * 3. The generation increments, a protocol every member supports is chosen, and every JoinGroup
 *    resolves; only the leader's response lists the members and their metadata.
 * 4. The leader runs the assignor and sends the assignments in SyncGroup; every waiting SyncGroup
 *    resolves with its member's assignment and the group is Stable. Members that never send SyncGroup
 *    within the rebalance timeout are removed, which starts another rebalance.
 */
import { RebalanceInProgressError, UnknownMemberIdError } from '../errors/group-errors.ts';
import type { TributaryError } from '../errors/tributary-error.ts';
import type { Clock } from '../time/clock.ts';
import type { Group, GroupMember } from './group.ts';

const EMPTY = Buffer.alloc(0);

/** Options for {@link GroupRebalancer}. */
export interface GroupRebalancerOptions {
  readonly clock: Clock;
  /** Kafka's `group.initial.rebalance.delay.ms`. */
  readonly initialRebalanceDelayMs: number;
  /** Whether the coordinator is closed (timers that fire late then do nothing). */
  readonly isClosed: () => boolean;
}

/**
 * Drives groups through rebalances on clock timers.
 *
 * @example
 * const rebalancer = new GroupRebalancer({ clock, initialRebalanceDelayMs: 0, isClosed: () => false });
 * rebalancer.prepareRebalance(group);
 */
export class GroupRebalancer {
  private readonly clock: Clock;
  private readonly initialRebalanceDelayMs: number;
  private readonly isClosed: () => boolean;

  constructor(options: GroupRebalancerOptions) {
    this.clock = options.clock;
    this.initialRebalanceDelayMs = options.initialRebalanceDelayMs;
    this.isClosed = options.isClosed;
  }

  /** A member sent JoinGroup (its waiter is set): start a rebalance or see whether the join phase is done. */
  memberJoined(group: Group, member: GroupMember): void {
    this.scheduleSession(group, member);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
    else this.prepareRebalance(group);
  }

  /** The leader's SyncGroup arrived: store every member's assignment, go Stable, answer waiting syncs. */
  completeSync(group: Group, assignments: readonly { memberId: string; assignment: Buffer }[]): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of group.members) m.assignment = byMember.get(m.memberId) ?? EMPTY;
    group.transitionTo('Stable');
    for (const m of group.members) {
      const waiter = m.syncWaiter;
      m.syncWaiter = null;
      waiter?.resolve({ assignment: m.assignment });
    }
  }

  /**
   * Starts a rebalance: voids a generation still waiting for its assignment, moves to
   * PreparingRebalance and arms the join timer (the initial delay for a formerly empty group).
   */
  prepareRebalance(group: Group): void {
    if (group.is('CompletingRebalance')) {
      // Assignments of the generation being completed are void; followers waiting in SyncGroup rejoin.
      for (const m of group.members) {
        m.assignment = EMPTY;
        const waiter = m.syncWaiter;
        m.syncWaiter = null;
        waiter?.reject(new RebalanceInProgressError(group.groupId));
      }
    }
    this.clearGroupTimers(group);
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance');
    const rebalanceTimeout = group.maxRebalanceTimeoutMs();
    if (wasEmpty && this.initialRebalanceDelayMs > 0) {
      const delay = Math.min(this.initialRebalanceDelayMs, rebalanceTimeout);
      group.inInitialDelay = true;
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, delay, Math.max(rebalanceTimeout - delay, 0));
      return;
    }
    group.rebalanceTimer = this.clock.setTimeout(() => {
      group.rebalanceTimer = null;
      this.completeJoin(group);
    }, rebalanceTimeout);
    this.tryCompleteJoin(group);
  }

  /** Kafka's InitialDelayedJoin: waits `delay`, extending while new members arrive and time remains. */
  private scheduleInitialDelay(group: Group, delay: number, remaining: number): void {
    group.rebalanceTimer = this.clock.setTimeout(() => {
      group.rebalanceTimer = null;
      if (group.newMemberAdded && remaining > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.initialRebalanceDelayMs, remaining);
        this.scheduleInitialDelay(group, next, Math.max(remaining - next, 0));
        return;
      }
      group.inInitialDelay = false;
      this.completeJoin(group);
    }, delay);
  }

  /** Ends the join phase now if every member has rejoined (and no initial delay runs). */
  tryCompleteJoin(group: Group): void {
    if (group.is('PreparingRebalance') && !group.inInitialDelay && group.allMembersJoined()) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    if (!group.is('PreparingRebalance') || this.isClosed()) return;
    this.clearGroupTimers(group);
    group.inInitialDelay = false;
    for (const m of group.notYetRejoined()) {
      this.removeMember(group, m, new UnknownMemberIdError(group.groupId, m.memberId), false);
    }
    group.initNextGeneration();
    if (group.is('Empty')) return;
    const leaderId = group.leaderId!;
    const generationId = group.generationId;
    const protocolName = group.protocolName!;
    const all = group.memberMetadata();
    for (const m of group.members) {
      const waiter = m.joinWaiter;
      m.joinWaiter = null;
      this.scheduleSession(group, m);
      waiter?.resolve({
        generationId,
        protocolName,
        leaderId,
        memberId: m.memberId,
        members: m.memberId === leaderId ? all : [],
      });
    }
    group.pendingSyncTimer = this.clock.setTimeout(() => {
      group.pendingSyncTimer = null;
      this.expirePendingSync(group, generationId);
    }, group.maxRebalanceTimeoutMs());
  }

  /** Members that joined generation `generationId` but never sent SyncGroup are removed. */
  private expirePendingSync(group: Group, generationId: number): void {
    if (group.generationId !== generationId || group.pendingSync.size === 0) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    for (const id of [...group.pendingSync]) {
      const m = group.get(id);
      if (m !== undefined) this.removeMember(group, m, new UnknownMemberIdError(group.groupId, id), false);
    }
    this.prepareRebalance(group);
  }

  /**
   * Removes a member, failing its waiting requests with `error`; with `rebalance`, moves the group on
   * as Kafka's removeMemberAndUpdateGroup does.
   */
  removeMember(group: Group, member: GroupMember, error: TributaryError, rebalance: boolean): void {
    if (member.sessionTimer !== null) this.clock.clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
    rejectWaiters(member, error);
    group.remove(member.memberId);
    if (!rebalance) return;
    if (group.is('Stable') || group.is('CompletingRebalance')) this.prepareRebalance(group);
    else if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  /** (Re)starts a member's session: it expires `sessionTimeoutMs` from now unless touched again. */
  scheduleSession(group: Group, member: GroupMember): void {
    if (member.sessionTimer !== null) this.clock.clearTimeout(member.sessionTimer);
    member.sessionTimer = this.clock.setTimeout(() => {
      member.sessionTimer = null;
      if (group.get(member.memberId) !== member) return;
      // A member waiting in JoinGroup or SyncGroup is bounded by the rebalance timeout instead.
      if (member.isAwaitingJoin || member.syncWaiter !== null) {
        this.scheduleSession(group, member);
        return;
      }
      this.removeMember(group, member, new UnknownMemberIdError(group.groupId, member.memberId), true);
    }, member.sessionTimeoutMs);
  }

  /** Cancels the group's join and pending-sync timers. */
  clearGroupTimers(group: Group): void {
    if (group.rebalanceTimer !== null) this.clock.clearTimeout(group.rebalanceTimer);
    if (group.pendingSyncTimer !== null) this.clock.clearTimeout(group.pendingSyncTimer);
    group.rebalanceTimer = null;
    group.pendingSyncTimer = null;
  }

  /** Cancels every timer of the group and fails its members' waiting requests with `error`. */
  shutdown(group: Group, error: TributaryError): void {
    this.clearGroupTimers(group);
    for (const m of group.members) {
      if (m.sessionTimer !== null) this.clock.clearTimeout(m.sessionTimer);
      m.sessionTimer = null;
      rejectWaiters(m, error);
    }
  }
}

/** Fails a member's waiting JoinGroup and SyncGroup. */
export function rejectWaiters(member: GroupMember, error: unknown): void {
  const join = member.joinWaiter;
  const sync = member.syncWaiter;
  member.joinWaiter = null;
  member.syncWaiter = null;
  join?.reject(error);
  sync?.reject(error);
}

