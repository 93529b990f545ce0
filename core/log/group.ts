/**
 * One consumer group's state, as Kafka's `GroupMetadata`: its members, generation, chosen protocol and
 * leader, and a lifecycle state that only moves along {@link GROUP_TRANSITIONS}. The coordinator
 * (group-coordinator.ts) drives it; this file holds no timers and does no I/O.
 */
import { IllegalStateError } from '../errors/log-errors.ts';
import type { TimerHandle } from '../time/clock.ts';

/**
 * Kafka's group states.
 * - `Empty`: no members (offsets may still be committed).
 * - `PreparingRebalance`: waiting for members to (re)join.
 * - `CompletingRebalance`: joined; waiting for the leader's assignment in SyncGroup.
 * - `Stable`: assignment delivered; members heartbeat.
 * - `Dead`: deleted.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Where each state may go next. Anything else is a bug and throws. */
export const GROUP_TRANSITIONS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance', 'Dead'],
  PreparingRebalance: ['CompletingRebalance', 'Empty', 'Dead'],
  CompletingRebalance: ['PreparingRebalance', 'Stable', 'Dead'],
  Stable: ['PreparingRebalance', 'Dead'],
  Dead: ['Dead'],
};

/** One protocol a member supports (an assignor name) with its metadata (a consumer Subscription). */
export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** What a JoinGroup call resolves to. */
export interface JoinGroupResult {
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Every member's metadata for the chosen protocol; only the leader gets it, others get `[]`. */
  readonly members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/** What a SyncGroup call resolves to. */
export interface SyncGroupResult {
  readonly assignment: Buffer;
}

/** A promise with its settle functions, for requests that wait on the group. */
export interface Waiter<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Creates a {@link Waiter}. */
export function createWaiter<T>(): Waiter<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const EMPTY = Buffer.alloc(0);

/** One member of a group: what it sent in JoinGroup, its assignment, and the requests it has waiting. */
export class GroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly GroupProtocol[];
  /** The assignment from the last completed SyncGroup (empty before). */
  assignment: Buffer = EMPTY;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  joinWaiter: Waiter<JoinGroupResult> | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  syncWaiter: Waiter<SyncGroupResult> | null = null;
  /** Session expiry timer (owned by the coordinator). */
  sessionTimer: TimerHandle | null = null;

  constructor(init: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    protocolType: string;
    protocols: readonly GroupProtocol[];
  }) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  /** Whether a JoinGroup of this member is waiting. */
  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  /** The metadata the member sent for `protocol`, or an empty buffer. */
  metadata(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Whether the member supports the protocol name. */
  supports(protocol: string): boolean {
    return this.protocols.some((p) => p.name === protocol);
  }
}

/**
 * A consumer group's state machine. Members are kept in join order; the first member becomes the
 * leader and a new leader is picked when the leader leaves.
 *
 * @example
 * const group = new Group('billing');
 * group.transitionTo('PreparingRebalance');
 * group.state; // 'PreparingRebalance'
 */
export class Group {
  readonly groupId: string;
  private currentState: GroupState = 'Empty';
  /** Incremented at the end of every rebalance (also when it ends with the group empty). */
  generationId = 0;
  /** Protocol type of the members (`consumer` for consumer groups); null until the first member joins. */
  protocolType: string | null = null;
  /** The protocol chosen for the current generation, or null when Empty. */
  protocolName: string | null = null;
  leaderId: string | null = null;
  private readonly memberMap = new Map<string, GroupMember>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  /** The timer that ends the join phase (rebalance timeout or initial delay). */
  rebalanceTimer: TimerHandle | null = null;
  /** The timer that removes members that never send SyncGroup. */
  pendingSyncTimer: TimerHandle | null = null;
  /** True while the initial rebalance delay of a formerly empty group runs. */
  inInitialDelay = false;
  /** A new member joined during the initial delay (the delay is then extended). */
  newMemberAdded = false;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  get state(): GroupState {
    return this.currentState;
  }

  /** Whether the group is in `state`. */
  is(state: GroupState): boolean {
    return this.currentState === state;
  }

  /**
   * Moves to `next`.
   * @throws IllegalStateError when {@link GROUP_TRANSITIONS} does not allow the move
   */
  transitionTo(next: GroupState): void {
    if (!GROUP_TRANSITIONS[this.currentState].includes(next)) {
      throw new IllegalStateError(
        `Group "${this.groupId}" cannot move from ${this.currentState} to ${next} (generation ${this.generationId})`,
      );
    }
    this.currentState = next;
  }

  get size(): number {
    return this.memberMap.size;
  }

  get members(): IterableIterator<GroupMember> {
    return this.memberMap.values();
  }

  has(memberId: string): boolean {
    return this.memberMap.has(memberId);
  }

  get(memberId: string): GroupMember | undefined {
    return this.memberMap.get(memberId);
  }

  /** The member with this static `group.instance.id`, if any. */
  staticMember(groupInstanceId: string): GroupMember | undefined {
    for (const m of this.memberMap.values()) if (m.groupInstanceId === groupInstanceId) return m;
    return undefined;
  }

  /** Adds a member; the first member of an empty group fixes the protocol type and becomes leader. */
  add(member: GroupMember): void {
    if (this.memberMap.size === 0) this.protocolType = member.protocolType;
    this.memberMap.set(member.memberId, member);
    if (this.leaderId === null) this.leaderId = member.memberId;
    if (this.is('PreparingRebalance') && this.inInitialDelay) this.newMemberAdded = true;
  }

  /** Removes a member; if it led the group, the first member waiting to join (else the first member) leads. */
  remove(memberId: string): void {
    this.memberMap.delete(memberId);
    this.pendingSync.delete(memberId);
    if (this.leaderId !== memberId) return;
    let next: string | null = null;
    for (const m of this.memberMap.values()) {
      if (m.isAwaitingJoin) {
        next = m.memberId;
        break;
      }
      next ??= m.memberId;
    }
    this.leaderId = next;
  }

  /** Whether every member has sent JoinGroup in this rebalance. */
  allMembersJoined(): boolean {
    for (const m of this.memberMap.values()) if (!m.isAwaitingJoin) return false;
    return true;
  }

  /** Members that have not rejoined in this rebalance. */
  notYetRejoined(): GroupMember[] {
    return [...this.memberMap.values()].filter((m) => !m.isAwaitingJoin);
  }

  /** The longest rebalance timeout of the members (0 when empty). */
  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.memberMap.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Whether a member (new, or `memberId` rejoining with new protocols) can join: an empty group takes
   * any non-empty protocol type and list; otherwise the type must match and at least one protocol must
   * be supported by every other member.
   */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[], memberId: string): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    const others = [...this.memberMap.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) return true;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((p) => others.every((m) => m.supports(p.name)));
  }

  /**
   * Picks the protocol for the next generation as Kafka does: among the protocols every member supports,
   * each member votes for the first one in its own preference order; most votes wins, ties going to the
   * leader's preference order.
   *
   * @throws IllegalStateError when the members share no protocol (joins are checked, so this is a bug)
   */
  selectProtocol(): string {
    const members = [...this.memberMap.values()];
    const leader = (this.leaderId !== null ? this.memberMap.get(this.leaderId) : undefined) ?? members[0];
    if (leader === undefined) throw new IllegalStateError(`Group "${this.groupId}" has no members to select a protocol`);
    const candidates = leader.protocols.map((p) => p.name).filter((name) => members.every((m) => m.supports(name)));
    if (candidates.length === 0) {
      throw new IllegalStateError(`Members of group "${this.groupId}" share no protocol`);
    }
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name))!;
      votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /**
   * Ends a join phase: increments the generation and moves to CompletingRebalance with a chosen
   * protocol, or to Empty when nobody is left.
   */
  initNextGeneration(): void {
    this.generationId += 1;
    this.pendingSync.clear();
    if (this.memberMap.size > 0) {
      this.protocolName = this.selectProtocol();
      for (const id of this.memberMap.keys()) this.pendingSync.add(id);
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = null;
      this.leaderId = null;
      this.transitionTo('Empty');
    }
  }

  /** The join response for the leader: every member with its metadata for the chosen protocol. */
  memberMetadata(): { memberId: string; groupInstanceId: string | null; metadata: Buffer }[] {
    const protocol = this.protocolName ?? '';
    return [...this.memberMap.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }
}
