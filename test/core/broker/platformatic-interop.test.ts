// First: Promise.withResolvers for Node 20 (the client targets Node 22).
import '../../fixtures/platformatic-node20.ts';
import {
  Admin,
  Consumer,
  compatibilityPartitioner,
  Producer,
  stringDeserializers,
  stringSerializers,
  type MessagesStream,
} from '@platformatic/kafka';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { partitionForKey } from '../../../core/clients/partitioner.ts';
import { forEachBatch, type RecordBatchHeader } from '../../../core/log/record-batch.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';

type Obj = Record<string, any>;
type StringStream = MessagesStream<string, string, string, string>;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('core/broker interop with @platformatic/kafka 2.x (flexible versions)', () => {
  let tb: TestBroker;
  let admin: Admin;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  beforeEach(async () => {
    tb = await startTestBroker();
    admin = new Admin({ clientId: 'platformatic-admin', bootstrapBrokers: [tb.bootstrap] });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    await admin.close().catch(() => undefined);
    await tb.cleanup();
  });

  function producer(): Producer<string, string, string, string> {
    const p = new Producer({
      clientId: 'platformatic-producer',
      bootstrapBrokers: [tb.bootstrap],
      serializers: stringSerializers,
      idempotent: true,
      acks: -1,
      partitioner: compatibilityPartitioner,
    });
    cleanups.push(() => p.close());
    return p;
  }

  function consumer(groupId: string, clientId: string): Consumer<string, string, string, string> {
    const c = new Consumer({
      groupId,
      clientId,
      bootstrapBrokers: [tb.bootstrap],
      deserializers: stringDeserializers,
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      rebalanceTimeout: 10_000,
      maxWaitTime: 300,
    });
    cleanups.push(() => c.close(true));
    return c;
  }

  async function latestOffsets(topic: string): Promise<number[]> {
    const c = new Consumer({ groupId: 'offsets-reader', clientId: 'offsets-reader', bootstrapBrokers: [tb.bootstrap] });
    try {
      const offsets = await c.listOffsets({ topics: [topic] });
      return offsets.get(topic)!.map(Number);
    } finally {
      await c.close(true);
    }
  }

  async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    const partitions = group!.topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(partitions.map((p) => [p.partitionIndex, Number(p.committedOffset)]));
  }

  async function storedBatches(topic: string, partition: number): Promise<RecordBatchHeader[]> {
    const c = await RawClient.connect(tb.port);
    try {
      const body = await c.request(API_KEYS.Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 24,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 24 }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
      const headers: RecordBatchHeader[] = [];
      forEachBatch(((body.responses as Obj[])[0]!.partitions[0] as Obj).records as Buffer, (_p, h) => headers.push(h));
      return headers;
    } finally {
      c.close();
    }
  }

  it('idempotent keyed producer with acks -1: Kafka partitioning, acknowledged offsets, one producer id, read back by a group in key order', async () => {
    const created = await admin.createTopics({ topics: ['keyed'], partitions: 4, replicas: 1 });
    expect(created[0]).toMatchObject({ name: 'keyed', partitions: 4, replicas: 1 });
    const p = producer();
    const sent: { key: string; value: string; partition: number; offset: number }[] = [];
    for (let round = 0; round < 5; round++) {
      const messages = Array.from({ length: 40 }, (_, i) => ({ topic: 'keyed', key: `key-${i % 16}`, value: `r${round}-m${i}` }));
      const result = await p.send({ messages });
      // One offset per partition written: the base offset of that partition's batch.
      const base = new Map(result.offsets!.map((o) => [o.partition, Number(o.offset)]));
      const next = new Map<number, number>();
      for (const m of messages) {
        const partition = partitionForKey(Buffer.from(m.key), 4);
        const offset = next.get(partition) ?? base.get(partition)!;
        next.set(partition, offset + 1);
        sent.push({ key: m.key, value: m.value, partition, offset });
      }
    }
    const latest = await latestOffsets('keyed');
    for (let partition = 0; partition < 4; partition++) {
      const offsets = sent.filter((s) => s.partition === partition).map((s) => s.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
      expect(latest[partition]).toBe(offsets.length);
    }
    const headers = (await Promise.all([0, 1, 2, 3].map((partition) => storedBatches('keyed', partition)))).flat();
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) {
      expect(h.producerId).toBeGreaterThanOrEqual(0);
      expect(h.producerEpoch).toBe(0);
    }
    expect(new Set(headers.map((h) => h.producerId)).size).toBe(1);

    const c = consumer('keyed-reader', 'keyed-reader');
    const stream: StringStream = await c.consume({ topics: ['keyed'], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
    const received: { key: string; value: string; partition: number; offset: number }[] = [];
    stream.on('data', (m) => received.push({ key: m.key, value: m.value, partition: m.partition, offset: Number(m.offset) }));
    await until(() => received.length >= sent.length, 20_000, 'every keyed message');
    expect(received).toHaveLength(sent.length);
    for (const r of received) expect(sent.find((s) => s.value === r.value)).toEqual(r);
    for (let k = 0; k < 16; k++) {
      const key = `key-${k}`;
      expect(received.filter((r) => r.key === key).map((r) => r.value)).toEqual(sent.filter((s) => s.key === key).map((s) => s.value));
    }
    await until(
      async () => {
        const committed = await committedOffsets('keyed-reader', 'keyed');
        return [0, 1, 2, 3].every((partition) => committed.get(partition) === latest[partition]);
      },
      10_000,
      'offsets committed at the end of every partition',
    );
    expect(await admin.listTopics()).toContain('keyed');
    await admin.deleteTopics({ topics: ['keyed'] });
    expect(await admin.listTopics()).not.toContain('keyed');
  });

  it('a consumer group of two: partitions split, one member leaves, the other takes its partitions over from the committed offsets', async () => {
    await admin.createTopics({ topics: ['work'], partitions: 4, replicas: 1 });
    const seen = new Map<string, { partition: number; offset: number; by: string }[]>();
    const streams: StringStream[] = [];
    const members: Consumer<string, string, string, string>[] = [];
    const joined = new Map<string, { generationId: number; partitions: number[] }>();
    for (const name of ['a', 'b']) {
      const c = consumer('workers', `member-${name}`);
      members.push(c);
      c.on('consumer:group:join', (e: { generationId: number; assignments: { topic: string; partitions: number[] }[] }) => {
        joined.set(name, { generationId: e.generationId, partitions: e.assignments.flatMap((a) => a.partitions) });
      });
      const stream: StringStream = await c.consume({ topics: ['work'], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
      streams.push(stream);
      stream.on('data', (m) => {
        const list = seen.get(m.value) ?? [];
        list.push({ partition: m.partition, offset: Number(m.offset), by: name });
        seen.set(m.value, list);
      });
    }
    await until(
      async () => {
        const group = (await admin.describeGroups({ groups: ['workers'] })).get('workers')!;
        const [a, b] = [joined.get('a'), joined.get('b')];
        return group.state === 'Stable' && group.members.size === 2 && a !== undefined && b !== undefined && a.generationId === b.generationId;
      },
      30_000,
      'a stable group of two in one generation',
    );
    const assigned = [...joined.values()].flatMap((j) => j.partitions);
    expect(assigned.sort()).toEqual([0, 1, 2, 3]);
    expect(joined.get('a')!.partitions.length).toBe(2);
    // A long poll the first member sent for its generation-1 assignment (all four partitions) may still be
    // pending; let it expire (maxWaitTime 300 ms) so that phase 1 is read under the split assignment only.
    await new Promise((r) => setTimeout(r, 1000));

    const p = producer();
    const phase1 = Array.from({ length: 200 }, (_, i) => ({ topic: 'work', key: `k${i}`, value: `one-${i}` }));
    await p.send({ messages: phase1 });
    await until(() => phase1.every((m) => seen.has(m.value)), 20_000, 'phase 1 consumed');
    // Each member read exactly its assigned partitions.
    const readBy = (name: string): number[] =>
      [...new Set(phase1.flatMap((m) => seen.get(m.value)!.filter((s) => s.by === name).map((s) => s.partition)))].sort();
    expect(readBy('a')).toEqual([...joined.get('a')!.partitions].sort());
    expect(readBy('b')).toEqual([...joined.get('b')!.partitions].sort());
    const byB = joined.get('b')!.partitions;
    const ends = await latestOffsets('work');
    await until(
      async () => {
        const committed = await committedOffsets('workers', 'work');
        return ends.every((end, partition) => committed.get(partition) === end);
      },
      20_000,
      'phase 1 committed',
    );

    await streams[1]!.close();
    await members[1]!.close();
    const phase2 = Array.from({ length: 200 }, (_, i) => ({ topic: 'work', key: `k${i}`, value: `two-${i}` }));
    await p.send({ messages: phase2 });
    await until(() => phase2.every((m) => seen.has(m.value)), 30_000, 'phase 2 consumed by the remaining member');

    for (const m of phase1) expect(seen.get(m.value)).toHaveLength(1);
    for (const m of phase2) expect(seen.get(m.value)!.map((s) => s.by)).toEqual(['a']);
    // b's partitions continue where b committed: a's first offset there is phase 1's end.
    for (const partition of byB) {
      const taken = phase2.flatMap((m) => seen.get(m.value)!).filter((s) => s.partition === partition).map((s) => s.offset);
      expect(Math.min(...taken)).toBe(ends[partition]);
    }
    const group = (await admin.describeGroups({ groups: ['workers'] })).get('workers')!;
    expect(group.members.size).toBe(1);
  });
});
