import { describe, expect, it } from 'vitest';
import { IllegalStateError } from '../../../core/errors/log-errors.ts';
import { GROUP_TRANSITIONS, Group, GroupMember, createWaiter, type GroupState } from '../../../core/log/group.ts';

function member(memberId: string, protocols: string[], protocolType = 'consumer'): GroupMember {
  return new GroupMember({
    memberId,
    groupInstanceId: null,
    clientId: 'client',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType,
    protocols: protocols.map((name) => ({ name, metadata: Buffer.from(`${memberId}:${name}`) })),
  });
}

describe('core/log/group', () => {
  it('follows Kafka\'s transition table and refuses everything else', () => {
    const states: GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];
    const allowed: Record<GroupState, GroupState[]> = {
      Empty: ['PreparingRebalance', 'Dead'],
      PreparingRebalance: ['CompletingRebalance', 'Empty', 'Dead'],
      CompletingRebalance: ['PreparingRebalance', 'Stable', 'Dead'],
      Stable: ['PreparingRebalance', 'Dead'],
      Dead: ['Dead'],
    };
    expect(GROUP_TRANSITIONS).toEqual(allowed);
    const path: Record<GroupState, GroupState[]> = {
      Empty: [],
      PreparingRebalance: ['PreparingRebalance'],
      CompletingRebalance: ['PreparingRebalance', 'CompletingRebalance'],
      Stable: ['PreparingRebalance', 'CompletingRebalance', 'Stable'],
      Dead: ['Dead'],
    };
    for (const from of states) {
      for (const to of states) {
        const group = new Group('g');
        for (const step of path[from]) group.transitionTo(step);
        expect(group.state).toBe(from);
        if (allowed[from].includes(to)) {
          group.transitionTo(to);
          expect(group.state).toBe(to);
        } else {
          expect(() => group.transitionTo(to)).toThrow(IllegalStateError);
          expect(() => group.transitionTo(to)).toThrow(`from ${from} to ${to}`);
        }
      }
    }
  });

  it('makes the first member leader and hands leadership on, preferring a member waiting to join', () => {
    const group = new Group('g');
    const a = member('a', ['range']);
    const b = member('b', ['range']);
    const c = member('c', ['range']);
    group.add(a);
    group.add(b);
    group.add(c);
    expect(group.leaderId).toBe('a');
    expect(group.protocolType).toBe('consumer');
    c.joinWaiter = createWaiter();
    group.remove('a');
    expect(group.leaderId).toBe('c');
    group.remove('b');
    group.remove('c');
    expect(group.leaderId).toBeNull();
  });

  it('checks protocol type and a protocol shared by every other member', () => {
    const group = new Group('g');
    expect(group.supportsProtocols('consumer', [], 'x')).toBe(false);
    expect(group.supportsProtocols('', [{ name: 'range', metadata: Buffer.alloc(0) }], 'x')).toBe(false);
    group.add(member('a', ['range', 'sticky']));
    group.add(member('b', ['sticky']));
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.alloc(0) }));
    expect(group.supportsProtocols('consumer', p('sticky'), 'new')).toBe(true);
    expect(group.supportsProtocols('consumer', p('range'), 'new')).toBe(false);
    expect(group.supportsProtocols('connect', p('sticky'), 'new')).toBe(false);
    // "b" rejoining with range only: "a" supports it.
    expect(group.supportsProtocols('consumer', p('range'), 'b')).toBe(true);
  });

  it('selects the protocol by votes, ties by the leader\'s preference', () => {
    const group = new Group('g');
    group.add(member('a', ['range', 'sticky']));
    group.add(member('b', ['sticky', 'range']));
    expect(group.selectProtocol()).toBe('range');
    group.add(member('c', ['sticky', 'range', 'roundrobin']));
    expect(group.selectProtocol()).toBe('sticky');
  });

  it('starts a generation with the members or goes Empty', () => {
    const group = new Group('g');
    group.add(member('a', ['range']));
    group.add(member('b', ['range']));
    group.transitionTo('PreparingRebalance');
    group.initNextGeneration();
    expect(group.state).toBe('CompletingRebalance');
    expect(group.generationId).toBe(1);
    expect(group.protocolName).toBe('range');
    expect([...group.pendingSync]).toEqual(['a', 'b']);
    expect(group.memberMetadata()).toEqual([
      { memberId: 'a', groupInstanceId: null, metadata: Buffer.from('a:range') },
      { memberId: 'b', groupInstanceId: null, metadata: Buffer.from('b:range') },
    ]);
    group.transitionTo('PreparingRebalance');
    group.remove('a');
    group.remove('b');
    group.initNextGeneration();
    expect(group.state).toBe('Empty');
    expect(group.generationId).toBe(2);
    expect(group.protocolName).toBeNull();
  });

  it('knows who has rejoined', () => {
    const group = new Group('g');
    const a = member('a', ['range']);
    const b = member('b', ['range']);
    group.add(a);
    group.add(b);
    a.joinWaiter = createWaiter();
    expect(group.allMembersJoined()).toBe(false);
    expect(group.notYetRejoined().map((m) => m.memberId)).toEqual(['b']);
    b.joinWaiter = createWaiter();
    expect(group.allMembersJoined()).toBe(true);
    expect(group.maxRebalanceTimeoutMs()).toBe(30_000);
  });
});
