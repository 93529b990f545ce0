import { describe, expect, it } from 'vitest';
import { StreamsPartitionAssignor } from '../../../core/runtime/streams-assignor.ts';
import { TopologyLayout } from '../../../core/runtime/topology-layout.ts';
import { Topology } from '../../../core/topology/topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { flattenTopicPartitions, type AssignorMember } from '../../../core/log/assignors/partition-assignor.ts';

const str = Serdes.string();
const layout = TopologyLayout.resolve(
  new Topology()
    .addSource('s', ['a', 'b'], { keySerde: str, valueSerde: str })
    .addSink('o', 'out', { keySerde: str, valueSerde: str }, 's')
    .addSource('r', 'repart', { keySerde: str, valueSerde: str, internal: true })
    .addSink('o2', 'out2', { keySerde: str, valueSerde: str }, 'r')
    .build(),
  'app',
  [],
);
const counts = new Map([['a', 4], ['b', 4], ['app-repart', 2]]);
const topics = ['a', 'app-repart', 'b'];

function tasksOf(list: ReturnType<StreamsPartitionAssignor['assign']>, member: string): string[] {
  const tps = flattenTopicPartitions(list.get(member)!);
  const tasks = new Set(tps.map((tp) => `${tp.topic === 'app-repart' ? 1 : 0}_${tp.partition}`));
  return [...tasks].sort();
}

describe('core/runtime/streams-assignor', () => {
  it('assigns whole tasks: partition p of every co-partitioned topic to one member, balanced', () => {
    const members: AssignorMember[] = ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, topics }));
    const result = new StreamsPartitionAssignor(layout).assign(members, counts);
    const all: string[] = [];
    for (const m of members) {
      const tps = flattenTopicPartitions(result.get(m.memberId)!);
      for (const tp of tps) {
        if (tp.topic === 'a') expect(tps).toContainEqual({ topic: 'b', partition: tp.partition });
        if (tp.topic === 'b') expect(tps).toContainEqual({ topic: 'a', partition: tp.partition });
      }
      all.push(...tasksOf(result, m.memberId));
    }
    expect(all.sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1']);
    const sizes = members.map((m) => tasksOf(result, m.memberId).length);
    expect(sizes).toEqual([2, 2, 2]);
  });

  it('is sticky: a joining member takes tasks only from the overloaded, a leaving member moves only its own tasks', () => {
    const assignor = new StreamsPartitionAssignor(layout);
    const two = assignor.assign([{ memberId: 'm1', topics }, { memberId: 'm2', topics }], counts);
    const owned = (id: string) => flattenTopicPartitions(two.get(id)!);
    const three = assignor.assign(
      [
        { memberId: 'm1', topics, ownedPartitions: owned('m1') },
        { memberId: 'm2', topics, ownedPartitions: owned('m2') },
        { memberId: 'm3', topics },
      ],
      counts,
    );
    for (const id of ['m1', 'm2']) {
      const before = tasksOf(two, id);
      const after = tasksOf(three, id);
      expect(after.every((t) => before.includes(t))).toBe(true);
      expect(after.length).toBe(2);
    }
    expect(tasksOf(three, 'm3').length).toBe(2);
    // m2 leaves: m1 and m3 keep theirs and split m2's
    const after = assignor.assign(
      [
        { memberId: 'm1', topics, ownedPartitions: flattenTopicPartitions(three.get('m1')!) },
        { memberId: 'm3', topics, ownedPartitions: flattenTopicPartitions(three.get('m3')!) },
      ],
      counts,
    );
    expect(tasksOf(after, 'm1')).toEqual(expect.arrayContaining(tasksOf(three, 'm1')));
    expect(tasksOf(after, 'm3')).toEqual(expect.arrayContaining(tasksOf(three, 'm3')));
    expect(tasksOf(after, 'm1').length + tasksOf(after, 'm3').length).toBe(6);
  });

  it('gives nothing to a member that does not subscribe to the task topics, and an entry to every member', () => {
    const result = new StreamsPartitionAssignor(layout).assign([{ memberId: 'x', topics: ['other'] }, { memberId: 'y', topics }], counts);
    expect(result.get('x')).toEqual([]);
    expect(tasksOf(result, 'y').length).toBe(6);
  });
});
