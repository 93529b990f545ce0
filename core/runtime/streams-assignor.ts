/**
 * The group assignor of a streams application: it assigns whole tasks, not single partitions. A task
 * (sub-topology s, partition p) is partition p of every source topic of s, so co-partitioned inputs
 * always land on the same member. It balances the number of tasks (counts differ by at most one among
 * members that can take them) and keeps tasks where they were (sticky on each member's
 * `ownedPartitions`), so a rebalance moves as few tasks as possible.
 *
 * Algorithm (deterministic, members sorted by id):
 * 1. Enumerate the tasks from the partition counts (tasks without any existing partition are skipped).
 * 2. Each task's previous owner is the member that owned most of its partitions (ties: smallest id).
 * 3. In task order, a task stays with its previous owner while the owner holds fewer than ceil(T / M).
 * 4. Remaining tasks go one by one to the eligible member with the fewest tasks (ties: smallest id).
 * 5. While a member holds two more tasks than an eligible other, its highest task moves over.
 */
import {
  compareStrings,
  groupByTopic,
  sortedMembers,
  type AssignorMember,
  type GroupAssignment,
  type PartitionAssignor,
  type TopicPartition,
} from '../log/assignors/partition-assignor.ts';
import type { TopologyLayout } from './topology-layout.ts';

/** The protocol name streams members advertise. */
export const STREAMS_ASSIGNOR_NAME = 'tributary-streams';

interface TaskSlot {
  readonly subtopology: number;
  readonly partition: number;
  readonly partitions: TopicPartition[];
  readonly topics: readonly string[];
  owner: string | null;
}

/**
 * Assigns tasks to the members of a streams application's group.
 *
 * @example
 * const consumer = log.consumer({ groupId: 'app', partitionAssigners: [new StreamsPartitionAssignor(layout)] });
 */
export class StreamsPartitionAssignor implements PartitionAssignor {
  readonly name = STREAMS_ASSIGNOR_NAME;

  constructor(private readonly layout: TopologyLayout) {}

  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const sorted = sortedMembers(members);
    const subscriptions = new Map(sorted.map((m) => [m.memberId, new Set(m.topics)] as const));
    const tasks = this.enumerateTasks(partitionsPerTopic);
    const load = new Map<string, TaskSlot[]>(sorted.map((m) => [m.memberId, []]));
    const eligible = (member: string, task: TaskSlot): boolean => {
      const subs = subscriptions.get(member);
      return subs !== undefined && task.topics.every((t) => subs.has(t));
    };

    // 2. Previous owners.
    const ownerOf = new Map<string, string[]>();
    for (const m of sorted) {
      for (const tp of m.ownedPartitions ?? []) {
        const k = `${tp.topic}\u0000${tp.partition}`;
        let list = ownerOf.get(k);
        if (list === undefined) ownerOf.set(k, (list = []));
        list.push(m.memberId);
      }
    }
    const previous = (task: TaskSlot): string | null => {
      const votes = new Map<string, number>();
      for (const tp of task.partitions) for (const id of ownerOf.get(`${tp.topic}\u0000${tp.partition}`) ?? []) votes.set(id, (votes.get(id) ?? 0) + 1);
      let best: string | null = null;
      for (const [id, n] of votes) {
        if (best === null || n > votes.get(best)! || (n === votes.get(best)! && compareStrings(id, best) < 0)) best = id;
      }
      return best;
    };

    // 3. Sticky up to the quota.
    const quota = sorted.length === 0 ? 0 : Math.ceil(tasks.length / sorted.length);
    for (const task of tasks) {
      const prev = previous(task);
      if (prev !== null && load.has(prev) && eligible(prev, task) && load.get(prev)!.length < quota) {
        task.owner = prev;
        load.get(prev)!.push(task);
      }
    }

    // 4. The rest to the least loaded eligible member.
    for (const task of tasks) {
      if (task.owner !== null) continue;
      let best: string | null = null;
      for (const m of sorted) {
        if (!eligible(m.memberId, task)) continue;
        if (best === null || load.get(m.memberId)!.length < load.get(best)!.length) best = m.memberId;
      }
      if (best === null) continue;
      task.owner = best;
      load.get(best)!.push(task);
    }

    // 5. Balance.
    for (let moved = true; moved; ) {
      moved = false;
      const byCount = [...load.keys()].sort((a, b) => load.get(b)!.length - load.get(a)!.length || compareStrings(a, b));
      outer: for (const from of byCount) {
        const fromList = load.get(from)!;
        for (let t = byCount.length - 1; t >= 0; t--) {
          const to = byCount[t]!;
          const toList = load.get(to)!;
          if (fromList.length - toList.length < 2) break;
          for (let i = fromList.length - 1; i >= 0; i--) {
            const task = fromList[i]!;
            if (!eligible(to, task)) continue;
            fromList.splice(i, 1);
            toList.push(task);
            task.owner = to;
            moved = true;
            break outer;
          }
        }
      }
    }

    const result: GroupAssignment = new Map();
    for (const m of sorted) result.set(m.memberId, groupByTopic(load.get(m.memberId)!.flatMap((t) => t.partitions)));
    return result;
  }

  private enumerateTasks(partitionsPerTopic: ReadonlyMap<string, number>): TaskSlot[] {
    const tasks: TaskSlot[] = [];
    for (const s of this.layout.subtopologies) {
      const n = this.layout.numTasks(s.id, partitionsPerTopic);
      for (let p = 0; p < n; p++) {
        const partitions = this.layout.taskPartitions(s.id, p, partitionsPerTopic);
        if (partitions.length === 0) continue;
        tasks.push({ subtopology: s.id, partition: p, partitions, topics: [...new Set(partitions.map((x) => x.topic))], owner: null });
      }
    }
    return tasks;
  }
}
