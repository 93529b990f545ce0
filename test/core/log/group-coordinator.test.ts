import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GroupIdNotFoundError,
  GroupNotEmptyError,
  IllegalGenerationError,
  InconsistentGroupProtocolError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../core/errors/group-errors.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import { decodeAssignment } from '../../../core/log/consumer-protocol.ts';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../../core/log/group-coordinator.ts';
import { LogManager } from '../../../core/log/log-manager.ts';
import { ManualClock } from '../../../core/time/clock.ts';
import { TestMember, settle } from './group-test-member.ts';

const silent = { warn: () => undefined, info: () => undefined };
const PARTITIONS = new Map([['orders', 6]]);

describe('core/log/group-coordinator', () => {
  let dir: string;
  let clock: ManualClock;
  let logs: LogManager;
  let coordinator: GroupCoordinator;

  async function startCoordinator(options: Partial<GroupCoordinatorOptions> = {}): Promise<GroupCoordinator> {
    coordinator = new GroupCoordinator({ logManager: logs, clock, ...options });
    await coordinator.start();
    return coordinator;
  }

  function member(clientId: string, options: TestMember['options'] = {}, groupId = 'g'): TestMember {
    return new TestMember(coordinator, groupId, clientId, ['orders'], PARTITIONS, options);
  }

  /**
   * Joins all members within the initial delay, then syncs them; returns once Stable. Members that
   * joined during the first delay extend it once more, as in Kafka.
   */
  async function formGroup(members: TestMember[], delayMs: number): Promise<void> {
    const joins = members.map((m) => m.join());
    clock.advance(delayMs);
    clock.advance(delayMs);
    await Promise.all(joins);
    const leader = members.find((m) => m.isLeader)!;
    const followers = members.filter((m) => m !== leader).map((m) => m.sync());
    await leader.sync();
    await Promise.all(followers);
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-coordinator-'));
    clock = new ManualClock(1_700_000_000_000);
    logs = await LogManager.open({ dir, clock, logger: silent });
  });
  afterEach(async () => {
    await coordinator?.close();
    await logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('forms a group of three: generation 1, one leader, every partition assigned once through sync', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 3000 });
    const members = [member('a'), member('b'), member('c')];
    const joins = members.map((m) => m.join());
    await settle();
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    clock.advance(3000);
    await settle();
    // b and c arrived during the first delay, so it was extended once.
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    clock.advance(3000);
    const results = await Promise.all(joins);
    expect(results.map((r) => r.generationId)).toEqual([1, 1, 1]);
    expect(new Set(results.map((r) => r.leaderId)).size).toBe(1);
    expect(results.map((r) => r.protocolName)).toEqual(['sticky', 'sticky', 'sticky']);
    const leader = members.find((m) => m.isLeader)!;
    expect(leader.lastJoin!.members.map((m) => m.memberId).sort()).toEqual(members.map((m) => m.memberId).sort());
    for (const m of members.filter((x) => x !== leader)) expect(m.lastJoin!.members).toEqual([]);
    expect(coordinator.describeGroup('g').state).toBe('CompletingRebalance');

    // Followers wait for the leader's sync.
    let followersDone = false;
    const followers = Promise.all(members.filter((m) => m !== leader).map((m) => m.sync())).then(() => {
      followersDone = true;
    });
    await settle();
    expect(followersDone).toBe(false);
    await leader.sync();
    await followers;
    const owned = members.flatMap((m) => m.owned()).sort();
    expect(owned).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5']);
    for (const m of members) expect(m.owned()).toHaveLength(2);
    expect(coordinator.describeGroup('g').state).toBe('Stable');
  });

  it('removes a member whose session expires; the others rebalance and take over its partitions', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 100 });
    const [a, b, c] = [member('a'), member('b'), member('c')];
    await formGroup([a!, b!, c!], 100);
    const before = { a: a!.owned(), b: b!.owned(), c: c!.owned() };

    // a and b heartbeat every 3 s; c has stopped.
    for (let t = 0; t < 9; t += 3) {
      clock.advance(3000);
      a!.heartbeat();
      b!.heartbeat();
    }
    expect(coordinator.describeGroup('g').state).toBe('Stable');
    clock.advance(2000); // c's session (10 s since its sync) is over
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    expect(coordinator.describeGroup('g').members.map((m) => m.memberId).sort()).toEqual([a!.memberId, b!.memberId].sort());
    expect(() => a!.heartbeat()).toThrow(RebalanceInProgressError);
    expect(() => b!.heartbeat()).toThrow(RebalanceInProgressError);
    expect(() => c!.heartbeat()).toThrow(UnknownMemberIdError);

    const joins = [a!.join(), b!.join()];
    const results = await Promise.all(joins);
    expect(results.map((r) => r.generationId)).toEqual([2, 2]);
    const leader = a!.isLeader ? a! : b!;
    const follower = leader === a ? b! : a!;
    const followerSync = follower.sync();
    await leader.sync();
    await followerSync;
    // Sticky: a and b keep what they had and split c's partitions.
    for (const tp of before.a) expect(a!.owned()).toContain(tp);
    for (const tp of before.b) expect(b!.owned()).toContain(tp);
    expect([...a!.owned(), ...b!.owned()].sort()).toEqual([...before.a, ...before.b, ...before.c].sort());
    expect(a!.owned()).toHaveLength(3);
    expect(b!.owned()).toHaveLength(3);
    expect(coordinator.describeGroup('g').state).toBe('Stable');
    a!.heartbeat();
  });

  it('rejects commits from a stale generation or unknown member, accepts the current one', async () => {
    await startCoordinator();
    const a = member('a');
    await a.join();
    await a.sync();
    expect(a.generationId).toBe(1);
    await a.commit([{ topic: 'orders', partition: 0, offset: 5 }]);

    const b = member('b');
    const bJoin = b.join();
    await settle();
    // While rebalancing (before rejoining), the current generation may still commit.
    await a.commit([{ topic: 'orders', partition: 0, offset: 6 }]);
    const aJoin = a.join();
    await Promise.all([aJoin, bJoin]);
    expect(a.generationId).toBe(2);
    // Waiting for the assignment: commits are refused.
    await expect(a.commit([{ topic: 'orders', partition: 0, offset: 7 }])).rejects.toBeInstanceOf(RebalanceInProgressError);
    const syncs = [a.sync(), b.sync()];
    await Promise.all(syncs);
    await expect(a.commit([{ topic: 'orders', partition: 0, offset: 8 }], 1)).rejects.toBeInstanceOf(IllegalGenerationError);
    await expect(
      coordinator.commitOffsets({ groupId: 'g', generationId: 2, memberId: 'ghost', offsets: [] }),
    ).rejects.toBeInstanceOf(UnknownMemberIdError);
    // Standalone commits are refused while the group has members.
    await expect(
      coordinator.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', offsets: [{ topic: 'orders', partition: 0, offset: 1 }] }),
    ).rejects.toBeInstanceOf(UnknownMemberIdError);
    await a.commit([{ topic: 'orders', partition: 0, offset: 9, metadata: 'ok' }]);
    expect(coordinator.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'orders', partition: 0 }] })).toEqual([
      { topic: 'orders', partition: 0, offset: 9, metadata: 'ok' },
    ]);
  });

  it('keeps committed offsets across a restart of the coordinator and the log', async () => {
    await startCoordinator();
    await coordinator.commitOffsets({
      groupId: 'standalone',
      generationId: -1,
      memberId: '',
      offsets: [
        { topic: 'orders', partition: 0, offset: 42, metadata: 'meta' },
        { topic: 'orders', partition: 1, offset: 7 },
      ],
    });
    const a = member('a');
    await a.join();
    await a.sync();
    await a.commit([{ topic: 'orders', partition: 3, offset: 1000 }]);
    await coordinator.close();
    await logs.close();

    logs = await LogManager.open({ dir, clock, logger: silent });
    await startCoordinator();
    expect(coordinator.fetchOffsets({ groupId: 'standalone' })).toEqual([
      { topic: 'orders', partition: 0, offset: 42, metadata: 'meta' },
      { topic: 'orders', partition: 1, offset: 7, metadata: null },
    ]);
    expect(
      coordinator.fetchOffsets({
        groupId: 'g',
        partitions: [
          { topic: 'orders', partition: 3 },
          { topic: 'orders', partition: 4 },
        ],
      }),
    ).toEqual([
      { topic: 'orders', partition: 3, offset: 1000, metadata: null },
      { topic: 'orders', partition: 4, offset: -1, metadata: null },
    ]);
    // Groups with offsets come back Empty; old members are unknown.
    expect(coordinator.listGroups().sort((x, y) => (x.groupId < y.groupId ? -1 : 1))).toEqual([
      { groupId: 'g', protocolType: '', state: 'Empty' },
      { groupId: 'standalone', protocolType: '', state: 'Empty' },
    ]);
    expect(() => coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toThrow(UnknownMemberIdError);
  });

  it('rebalances when a member leaves', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 10 });
    const [a, b] = [member('a'), member('b')];
    await formGroup([a!, b!], 10);
    b!.leave();
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    expect(() => a!.heartbeat()).toThrow(RebalanceInProgressError);
    expect(() => b!.heartbeat()).toThrow(UnknownMemberIdError);
    expect(() => b!.leave()).toThrow(UnknownMemberIdError);
    const result = await a!.join();
    expect(result.generationId).toBe(2);
    expect(result.leaderId).toBe(a!.memberId);
    await a!.sync();
    expect(a!.owned()).toHaveLength(6);
    a!.leave();
    const d = coordinator.describeGroup('g');
    expect(d.state).toBe('Empty');
    expect(d.members).toEqual([]);
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 10 });
    const a = member('a', { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 30_000 });
    const b = member('b', { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 30_000 });
    await formGroup([a, b], 10);
    const aJoin = a.join();
    clock.advance(29_999);
    await settle();
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    clock.advance(1);
    const result = await aJoin;
    expect(result.generationId).toBe(2);
    expect(result.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(() => b.heartbeat()).toThrow(UnknownMemberIdError);
  });

  it('removes members that never send SyncGroup and rebalances', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 10 });
    const a = member('a', { rebalanceTimeoutMs: 5000, sessionTimeoutMs: 60_000 });
    const b = member('b', { rebalanceTimeoutMs: 5000, sessionTimeoutMs: 60_000 });
    const joins = [a.join(), b.join()];
    clock.advance(20);
    await Promise.all(joins);
    const follower = a.isLeader ? b : a;
    const leader = a.isLeader ? a : b;
    const followerSync = follower.sync();
    const failed = followerSync.catch((e: unknown) => e);
    clock.advance(5000); // the leader never syncs
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    expect(await failed).toBeInstanceOf(RebalanceInProgressError);
    expect(coordinator.describeGroup('g').members.map((m) => m.memberId)).toEqual([follower.memberId]);
    expect(() => leader.heartbeat()).toThrow(UnknownMemberIdError);
  });

  it('refuses members without a protocol in common, or of another protocol type', async () => {
    await startCoordinator();
    const a = member('a', { protocols: ['range'] });
    const aJoin = a.join();
    await aJoin;
    await expect(member('b', { protocols: ['roundrobin'] }).join()).rejects.toBeInstanceOf(InconsistentGroupProtocolError);
    await expect(
      coordinator.joinGroup({
        groupId: 'g',
        memberId: '',
        clientId: 'x',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        protocolType: 'connect',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      }),
    ).rejects.toBeInstanceOf(InconsistentGroupProtocolError);
    const both = member('c', { protocols: ['roundrobin', 'range'] });
    const joins = [both.join(), a.join()];
    const results = await Promise.all(joins);
    expect(results.map((r) => r.protocolName)).toEqual(['range', 'range']);
  });

  it('validates requests: unknown members and groups, generations, session timeouts, start', async () => {
    const early = new GroupCoordinator({ logManager: logs, clock });
    expect(() => early.listGroups()).toThrow(IllegalStateError);
    await startCoordinator({ minSessionTimeoutMs: 6000 });
    await expect(member('a', { sessionTimeoutMs: 100 }).join()).rejects.toBeInstanceOf(InvalidArgumentError);
    const ghost = member('ghost');
    ghost.memberId = 'ghost-1';
    await expect(ghost.join()).rejects.toBeInstanceOf(UnknownMemberIdError);
    expect(() => coordinator.heartbeat({ groupId: 'nope', generationId: 1, memberId: 'm' })).toThrow(UnknownMemberIdError);
    await expect(coordinator.syncGroup({ groupId: 'nope', generationId: 1, memberId: 'm', assignments: [] })).rejects.toBeInstanceOf(
      UnknownMemberIdError,
    );
    const a = member('a');
    await a.join();
    await expect(
      coordinator.syncGroup({ groupId: 'g', generationId: 7, memberId: a.memberId, assignments: [] }),
    ).rejects.toBeInstanceOf(IllegalGenerationError);
    await a.sync();
    expect(() => coordinator.heartbeat({ groupId: 'g', generationId: 0, memberId: a.memberId })).toThrow(IllegalGenerationError);
    await expect(coordinator.joinGroup({ ...baseJoin(), groupId: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('describes, lists and deletes groups', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 10 });
    const [a, b] = [member('a'), member('b')];
    await formGroup([a!, b!], 10);
    await a!.commit([{ topic: 'orders', partition: 0, offset: 3 }]);
    await coordinator.setOffsets('other', [{ topic: 'orders', partition: 1, offset: 11 }]);

    const d = coordinator.describeGroup('g');
    expect(d.state).toBe('Stable');
    expect(d.protocolType).toBe('consumer');
    expect(d.protocol).toBe('sticky');
    expect(d.members.map((m) => m.clientId).sort()).toEqual(['a', 'b']);
    const described = d.members.find((m) => m.memberId === a!.memberId)!;
    expect(decodeAssignment(described.memberAssignment).assignedPartitions).toEqual(a!.assignment);
    expect(described.memberMetadata.length).toBeGreaterThan(0);
    expect(coordinator.describeGroup('unknown')).toEqual({
      groupId: 'unknown',
      state: 'Dead',
      protocolType: '',
      protocol: '',
      members: [],
    });
    expect(coordinator.listGroups().sort((x, y) => (x.groupId < y.groupId ? -1 : 1))).toEqual([
      { groupId: 'g', protocolType: 'consumer', state: 'Stable' },
      { groupId: 'other', protocolType: '', state: 'Empty' },
    ]);

    await expect(coordinator.setOffsets('g', [{ topic: 'orders', partition: 0, offset: 0 }])).rejects.toBeInstanceOf(GroupNotEmptyError);
    await expect(coordinator.deleteOffsets('g')).rejects.toBeInstanceOf(GroupNotEmptyError);
    let results = await coordinator.deleteGroups(['g', 'other', 'missing']);
    expect(results[0]!.error).toBeInstanceOf(GroupNotEmptyError);
    expect(results[1]).toEqual({ groupId: 'other', error: null });
    expect(results[2]!.error).toBeInstanceOf(GroupIdNotFoundError);
    expect(coordinator.fetchOffsets({ groupId: 'other' })).toEqual([]);

    a!.leave();
    b!.leave();
    expect(coordinator.describeGroup('g').state).toBe('Empty');
    await coordinator.deleteOffsets('g', [{ topic: 'orders', partition: 0 }]);
    expect(coordinator.fetchOffsets({ groupId: 'g' })).toEqual([]);
    await coordinator.setOffsets('g', [{ topic: 'orders', partition: 2, offset: 20 }]);
    results = await coordinator.deleteGroups(['g']);
    expect(results).toEqual([{ groupId: 'g', error: null }]);
    expect(coordinator.listGroups()).toEqual([]);
    expect(coordinator.describeGroup('g').state).toBe('Dead');

    // Deletions are durable.
    await coordinator.close();
    await logs.close();
    logs = await LogManager.open({ dir, clock, logger: silent });
    await startCoordinator();
    expect(coordinator.listGroups()).toEqual([]);
    expect(coordinator.fetchOffsets({ groupId: 'g' })).toEqual([]);
  });

  it('replaces a restarted static member and fences its old id', async () => {
    await startCoordinator();
    const first = member('a', { groupInstanceId: 'instance-1' });
    await first.join();
    await first.sync();
    const oldId = first.memberId;
    const restarted = member('a', { groupInstanceId: 'instance-1' });
    const result = await restarted.join();
    expect(result.memberId).not.toBe(oldId);
    expect(result.memberId.startsWith('instance-1-')).toBe(true);
    expect(coordinator.describeGroup('g').members.map((m) => m.groupInstanceId)).toEqual(['instance-1']);
    expect(() => coordinator.heartbeat({ groupId: 'g', generationId: result.generationId, memberId: oldId })).toThrow(
      UnknownMemberIdError,
    );
  });

  it('extends the initial delay while new members keep arriving, up to the rebalance timeout', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 1000 });
    const members = [member('a', { rebalanceTimeoutMs: 2500 })];
    const joins = [members[0]!.join()];
    clock.advance(900);
    members.push(member('b', { rebalanceTimeoutMs: 2500 }));
    joins.push(members[1]!.join());
    clock.advance(100); // first delay over, but b arrived: extended by another 1000
    await settle();
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance');
    clock.advance(1000);
    const results = await Promise.all(joins);
    expect(results.map((r) => r.generationId)).toEqual([1, 1]);
  });

  it('fails waiting requests on close', async () => {
    await startCoordinator({ initialRebalanceDelayMs: 1000 });
    const pending = member('a').join();
    await coordinator.close();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    expect(() => coordinator.listGroups()).toThrow(ClosedError);
  });
});

function baseJoin() {
  return {
    groupId: 'g',
    memberId: '',
    clientId: 'c',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }],
  };
}
