import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, openTestLog, type TestLog } from './embedded-test-log.ts';
import type { EmbeddedConsumer } from '../../../../core/clients/embedded/embedded-consumer.ts';
import type { EmbeddedProducer } from '../../../../core/clients/embedded/embedded-producer.ts';
import type { TopicPartitions } from '../../../../core/clients/log-client.ts';

const TOPIC = 'orders';
const SESSION_TIMEOUT = 1200;

interface Member {
  name: string;
  consumer: EmbeddedConsumer;
  assignment: number[];
  /** Offsets this member processed, per partition. */
  processed: Map<number, number[]>;
  /** The member's last committed offset per partition (from consumer.commit_offsets events). */
  committed: Map<number, number>;
  hung: boolean;
}

describe('core/clients/embedded/consumer-group', () => {
  let t: TestLog;
  let producer: EmbeddedProducer;
  const members: Member[] = [];

  beforeEach(async () => {
    t = await openTestLog();
    const admin = t.log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });
    await admin.disconnect();
    producer = t.log.producer();
    await producer.connect();
    members.length = 0;
  });

  afterEach(async () => {
    for (const m of members) await m.consumer.disconnect();
    await t.cleanup();
  });

  async function join(name: string, onMessage?: (m: Member, partition: number, offset: number) => void): Promise<Member> {
    const consumer = t.log.consumer({
      groupId: 'billing',
      clientId: name,
      sessionTimeout: SESSION_TIMEOUT,
      rebalanceTimeout: 3000,
      heartbeatInterval: 100,
      maxWaitTimeInMs: 500,
      onPartitionsAssigned: (assignment: TopicPartitions[]) => {
        member.assignment = assignment.find((a) => a.topic === TOPIC)?.partitions ?? [];
      },
      onPartitionsRevoked: () => {
        member.assignment = [];
      },
    });
    const member: Member = { name, consumer, assignment: [], processed: new Map(), committed: new Map(), hung: false };
    consumer.on('consumer.commit_offsets', (event) => {
      for (const { topic, partitions } of event.payload.topics) {
        if (topic !== TOPIC) continue;
        for (const p of partitions) member.committed.set(p.partition, Number(p.offset));
      }
    });
    members.push(member);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        expect(member.hung).toBe(false); // a hung member must not process anything
        let list = member.processed.get(partition);
        if (list === undefined) member.processed.set(partition, (list = []));
        list.push(Number(message.offset));
        onMessage?.(member, partition, Number(message.offset));
      },
    });
    return member;
  }

  async function produce(from: number, count: number): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => ({ key: `customer-${(from + i) % 97}`, value: `order-${from + i}` }));
    await producer.send({ topic: TOPIC, messages });
  }

  function endOffsets(): number[] {
    return Array.from({ length: 6 }, (_, p) => t.log.logManager.partition(TOPIC, p).highWatermark);
  }

  /** Distinct (partition, offset) pairs consumed by anyone. */
  function consumedPairs(): Set<string> {
    const pairs = new Set<string>();
    for (const m of members) for (const [p, offsets] of m.processed) for (const o of offsets) pairs.add(`${p}:${o}`);
    return pairs;
  }

  function allConsumed(): boolean {
    const ends = endOffsets();
    return consumedPairs().size === ends.reduce((a, b) => a + b, 0);
  }

  it('moves the partitions of a hung member to the others within the session timeout; nothing is lost', async () => {
    const a = await join('a');
    const b = await join('b');
    let hangAt = -1;
    const c = await join('c', (m, _partition, _offset) => {
      // c hangs in the middle of its second round of work, after processing but before committing.
      if (hangAt < 0 && totalProcessed(m) >= 150) {
        m.hung = true;
        hangAt = Date.now();
        m.consumer.simulateHang();
      }
    });
    await eventually(() => members.every((m) => m.assignment.length === 2), 10_000, 'three members with two partitions each');
    expect(new Set(members.flatMap((m) => m.assignment))).toEqual(new Set([0, 1, 2, 3, 4, 5]));

    await produce(0, 300);
    await eventually(() => hangAt > 0 || allConsumed(), 10_000, 'first round consumed');
    await produce(300, 300);
    await eventually(() => hangAt > 0, 10_000, 'c to hang');
    const cPartitions = [...c.assignment];
    const cCommitted = new Map(c.committed);

    await eventually(
      () => a.assignment.length + b.assignment.length === 6,
      SESSION_TIMEOUT + 3000,
      'a and b to take over all six partitions',
    );
    const movedAfter = Date.now() - hangAt;
    expect(movedAfter).toBeLessThan(SESSION_TIMEOUT + 3000);
    expect(new Set([...a.assignment, ...b.assignment])).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(t.log.coordinator.describeGroup('billing').members.map((m) => m.clientId).sort()).toEqual(['a', 'b']);

    await produce(600, 300);
    await eventually(allConsumed, 10_000, 'every record consumed');

    // No loss: every offset below the end of every partition was processed by someone.
    const ends = endOffsets();
    const pairs = consumedPairs();
    for (let p = 0; p < 6; p++) for (let o = 0; o < ends[p]!; o++) expect(pairs.has(`${p}:${o}`)).toBe(true);

    // Duplicates only for offsets at or after the hung member's last commit of that partition.
    const seen = new Map<string, number>();
    for (const m of members) for (const [p, offsets] of m.processed) for (const o of offsets) seen.set(`${p}:${o}`, (seen.get(`${p}:${o}`) ?? 0) + 1);
    // c processed records after its last commit, so those were delivered again to their new owner.
    expect([...seen.values()].filter((count) => count > 1).length).toBeGreaterThan(0);
    for (const [pair, count] of seen) {
      if (count === 1) continue;
      expect(count).toBe(2);
      const [p, o] = pair.split(':').map(Number) as [number, number];
      expect(cPartitions).toContain(p);
      expect(o).toBeGreaterThanOrEqual(cCommitted.get(p) ?? 0);
    }

    // The survivors committed everything.
    await eventually(() => {
      const offsets = t.log.coordinator.fetchOffsets({ groupId: 'billing' });
      return offsets.length === 6 && offsets.every((o) => o.offset === ends[o.partition]);
    }, 5000, 'final commits');
  });

  it('rebalances when a member joins and when one leaves, with revoke before assign', async () => {
    const events: string[] = [];
    const a = await join('a');
    a.consumer.on('consumer.rebalancing', () => events.push('a:rebalancing'));
    a.consumer.on('consumer.group_join', (e) => events.push(`a:join:${e.payload.isLeader ? 'leader' : 'follower'}`));
    expect(a.assignment).toEqual([0, 1, 2, 3, 4, 5]);
    const b = await join('b');
    await eventually(() => a.assignment.length === 3 && b.assignment.length === 3, 5000, 'a and b to split the topic');
    expect(events).toEqual(['a:rebalancing', 'a:join:leader']);
    await produce(0, 120);
    await eventually(allConsumed, 5000, 'all consumed by two members');
    await b.consumer.disconnect(); // b's processed offsets still count in consumedPairs()
    await eventually(() => a.assignment.length === 6, 5000, 'a to own everything again');
    await produce(120, 60);
    await eventually(allConsumed, 5000, 'all consumed after b left');
    const description = await a.consumer.describeGroup();
    expect(description).toMatchObject({ groupId: 'billing', state: 'Stable', protocolType: 'consumer', protocol: 'roundrobin' });
    expect(description.members.map((m) => m.clientId)).toEqual(['a']);
  });
});

function totalProcessed(m: Member): number {
  let n = 0;
  for (const list of m.processed.values()) n += list.length;
  return n;
}
