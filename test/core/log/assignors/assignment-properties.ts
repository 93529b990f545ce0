import { expect } from 'vitest';
import type {
  AssignorMember,
  GroupAssignment,
  PartitionAssignor,
} from '../../../../core/log/assignors/partition-assignor.ts';

/** Checks the properties every assignor must have and returns the assignment. */
export function assignAndCheck(
  assignor: PartitionAssignor,
  members: AssignorMember[],
  partitionsPerTopic: Map<string, number>,
): GroupAssignment {
  const result = assignor.assign(members, partitionsPerTopic);
  // An entry for every member and nobody else.
  expect([...result.keys()].sort()).toEqual(members.map((m) => m.memberId).sort());
  // Every subscribed partition exactly once, only to a subscriber.
  const seen = new Map<string, string>();
  for (const [memberId, list] of result) {
    const member = members.find((m) => m.memberId === memberId)!;
    for (const { topic, partitions } of list) {
      expect(member.topics).toContain(topic);
      expect(partitions).toEqual([...partitions].sort((a, b) => a - b));
      for (const p of partitions) {
        const key = `${topic}-${p}`;
        expect(seen.has(key), `${key} assigned twice`).toBe(false);
        seen.set(key, memberId);
      }
    }
  }
  for (const [topic, count] of partitionsPerTopic) {
    if (!members.some((m) => m.topics.includes(topic))) continue;
    for (let p = 0; p < count; p++) expect(seen.has(`${topic}-${p}`), `${topic}-${p} unassigned`).toBe(true);
  }
  // Deterministic whatever the input order.
  const reversed = assignor.assign([...members].reverse(), partitionsPerTopic);
  expect(normalize(reversed)).toEqual(normalize(result));
  return result;
}

/** Member id -> "topic-partition" strings, for easy comparison. */
export function flat(result: GroupAssignment): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [memberId, list] of result) {
    out[memberId] = list.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}-${p}`));
  }
  return out;
}

function normalize(result: GroupAssignment): [string, unknown][] {
  return [...result.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Partition counts per member. */
export function counts(result: GroupAssignment): number[] {
  return [...result.values()].map((list) => list.reduce((n, t) => n + t.partitions.length, 0));
}
