/**
 * A sticky assignor in the spirit of Kafka's `StickyAssignor`: the assignment is as balanced as the
 * subscriptions allow, and as few partitions as possible change owner relative to the partitions each
 * member says it owned (Subscription v1 `ownedPartitions`).
 *
 * Algorithm (deterministic):
 * 1. Each member keeps the owned partitions that still exist and that it still subscribes to; a
 *    partition claimed by two members stays with the one whose id sorts first.
 * 2. Unowned partitions, those with the fewest eligible members first, go one by one to the eligible
 *    member with the fewest partitions (ties: smallest member id).
 * 3. While some member holds at least two more partitions than another member that could take one of
 *    them, one partition moves from the fullest to the emptiest such member. Each move lowers the sum of
 *    squared counts, so this ends; with equal subscriptions it ends with counts differing by at most one.
 */
import {
  compareStrings,
  compareTopicPartitions,
  groupByTopic,
  sortedMembers,
  type AssignorMember,
  type GroupAssignment,
  type PartitionAssignor,
  type TopicPartition,
} from './partition-assignor.ts';

/**
 * Balanced assignment that moves as few partitions as possible between generations.
 *
 * @example
 * const sticky = new StickyAssignor();
 * sticky.assign(
 *   [
 *     { memberId: 'a', topics: ['t'], ownedPartitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] },
 *     { memberId: 'b', topics: ['t'], ownedPartitions: [{ topic: 't', partition: 2 }] },
 *   ],
 *   new Map([['t', 4]]),
 * ); // a keeps t[0, 1], b keeps t[2] and gets t[3]
 */
export class StickyAssignor implements PartitionAssignor {
  readonly name = 'sticky';

  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const sorted = sortedMembers(members);
    const subscriptions = new Map<string, ReadonlySet<string>>();
    for (const m of sorted) subscriptions.set(m.memberId, new Set(m.topics));

    const owned = new Map<string, TopicPartition[]>();
    for (const m of sorted) owned.set(m.memberId, []);
    const owner = new Map<string, string>();

    // 1. Keep what each member still may own.
    for (const m of sorted) {
      const subs = subscriptions.get(m.memberId)!;
      const mine = [...(m.ownedPartitions ?? [])].sort(compareTopicPartitions);
      for (const tp of mine) {
        const count = partitionsPerTopic.get(tp.topic) ?? 0;
        const key = keyOf(tp);
        if (!subs.has(tp.topic) || tp.partition < 0 || tp.partition >= count || owner.has(key)) continue;
        owner.set(key, m.memberId);
        owned.get(m.memberId)!.push({ topic: tp.topic, partition: tp.partition });
      }
    }

    // 2. Hand out the partitions nobody keeps.
    const eligible = new Map<string, string[]>();
    for (const m of sorted) {
      for (const topic of m.topics) {
        let list = eligible.get(topic);
        if (list === undefined) eligible.set(topic, (list = []));
        if (!list.includes(m.memberId)) list.push(m.memberId);
      }
    }
    const unowned: TopicPartition[] = [];
    for (const topic of [...eligible.keys()].sort(compareStrings)) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        if (!owner.has(keyOf({ topic, partition }))) unowned.push({ topic, partition });
      }
    }
    unowned.sort(
      (a, b) => eligible.get(a.topic)!.length - eligible.get(b.topic)!.length || compareTopicPartitions(a, b),
    );
    for (const tp of unowned) {
      let best: string | undefined;
      for (const id of eligible.get(tp.topic)!) {
        if (best === undefined || isLess(owned, id, best)) best = id;
      }
      owned.get(best!)!.push(tp);
      owner.set(keyOf(tp), best!);
    }

    // 3. Move single partitions from the fullest to the emptiest member until balanced.
    for (;;) {
      const byCount = [...owned.keys()].sort((a, b) => owned.get(a)!.length - owned.get(b)!.length || compareStrings(a, b));
      if (!moveOne(byCount, owned, subscriptions)) break;
    }

    const result: GroupAssignment = new Map();
    for (const m of sorted) result.set(m.memberId, groupByTopic(owned.get(m.memberId)!));
    return result;
  }
}

function keyOf(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** Whether member `a` holds fewer partitions than `b` (ties: smaller id). */
function isLess(owned: Map<string, TopicPartition[]>, a: string, b: string): boolean {
  const diff = owned.get(a)!.length - owned.get(b)!.length;
  return diff < 0 || (diff === 0 && compareStrings(a, b) < 0);
}

/**
 * Makes the single most useful move, if any: from the fullest member to the emptiest member that can
 * take one of its partitions and holds at least two fewer. Moves the highest-sorting such partition.
 */
function moveOne(
  byCountAsc: readonly string[],
  owned: Map<string, TopicPartition[]>,
  subscriptions: Map<string, ReadonlySet<string>>,
): boolean {
  for (let f = byCountAsc.length - 1; f >= 0; f--) {
    const from = byCountAsc[f]!;
    const fromList = owned.get(from)!;
    for (let t = 0; t < f; t++) {
      const to = byCountAsc[t]!;
      const toList = owned.get(to)!;
      if (fromList.length - toList.length < 2) break;
      const subs = subscriptions.get(to)!;
      let pick = -1;
      for (let i = 0; i < fromList.length; i++) {
        const tp = fromList[i]!;
        if (subs.has(tp.topic) && (pick < 0 || compareTopicPartitions(tp, fromList[pick]!) > 0)) pick = i;
      }
      if (pick >= 0) {
        toList.push(fromList[pick]!);
        fromList.splice(pick, 1);
        return true;
      }
    }
  }
  return false;
}
