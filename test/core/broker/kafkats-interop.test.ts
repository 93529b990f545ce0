import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KafkaClient, type Consumer } from '@kafkats/client';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { partitionForKey } from '../../../core/clients/partitioner.ts';
import { forEachBatch, type RecordBatchHeader } from '../../../core/log/record-batch.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';

type Obj = Record<string, any>;

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/kafkats-consumer.ts');
/** Kafka's TOPIC_ALREADY_EXISTS. */
const TOPIC_ALREADY_EXISTS = 36;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('core/broker interop with @kafkats/client 0.12 (flexible versions)', () => {
  let tb: TestBroker;
  let client: KafkaClient;
  /** kafkajs admin, only to read committed group offsets (@kafkats/client's admin has no OffsetFetch). */
  let kafkajs: Kafka;
  const cleanups: (() => Promise<void> | void)[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    tb = await startTestBroker();
    client = new KafkaClient({ brokers: [tb.bootstrap], clientId: 'kafkats-interop', logLevel: 'silent' });
    await client.connect();
    kafkajs = new Kafka({ brokers: [tb.bootstrap], clientId: 'offsets-reader', logLevel: logLevel.NOTHING });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    await client.disconnect().catch(() => undefined);
    await tb.cleanup();
  });

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

  /**
   * A group member with a client of its own: members of one group must not share a connection, because a
   * broker answers a connection's requests in order and a follower's SyncGroup waits for the leader's (Kafka
   * mutes a connection while one of its requests is pending, so it would block the same way).
   */
  async function groupConsumer(groupId: string): Promise<Consumer> {
    const own = new KafkaClient({ brokers: [tb.bootstrap], clientId: `kafkats-${groupId}`, logLevel: 'silent' });
    await own.connect();
    cleanups.push(() => own.disconnect());
    const consumer = own.consumer({
      groupId,
      sessionTimeoutMs: 3000,
      heartbeatIntervalMs: 300,
      rebalanceTimeoutMs: 10_000,
      maxWaitMs: 300,
      autoOffsetReset: 'earliest',
    });
    cleanups.push(async () => {
      consumer.stop();
      await new Promise((r) => setTimeout(r, 50));
    });
    return consumer;
  }

  it('keyed idempotent producer with acks all: Kafka partitioning, offsets as acknowledged, one producer id, read back in order', async () => {
    const admin = client.admin();
    expect((await admin.createTopics([{ name: 'keyed', numPartitions: 4 }]))[0]).toMatchObject({ name: 'keyed', errorCode: 0, numPartitions: 4 });
    const producer = client.producer({ acks: 'all', idempotent: true, lingerMs: 2 });
    cleanups.push(() => producer.disconnect());
    const sent: { key: string; value: string; partition: number; offset: bigint }[] = [];
    for (let round = 0; round < 5; round++) {
      const messages = Array.from({ length: 40 }, (_, i) => ({ key: `key-${i % 16}`, value: Buffer.from(`r${round}-m${i}`) }));
      const results = await producer.send('keyed', messages);
      results.forEach((r, i) => sent.push({ key: messages[i]!.key, value: messages[i]!.value.toString(), partition: r.partition, offset: r.offset }));
    }
    // Kafka's partitioner: toPositive(murmur2(key)) % partitions, as the Java client and kafkajs.
    for (const s of sent) expect(s.partition, s.key).toBe(partitionForKey(Buffer.from(s.key), 4));
    // Offsets as acknowledged: 0.. per partition, no gaps, no duplicates.
    for (let p = 0; p < 4; p++) {
      const offsets = sent.filter((s) => s.partition === p).map((s) => Number(s.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const latest = await admin.fetchTopicOffsets('keyed', [0, 1, 2, 3], 'latest');
    for (let p = 0; p < 4; p++) expect(Number(latest.get(p))).toBe(sent.filter((s) => s.partition === p).length);

    const headers = (await Promise.all([0, 1, 2, 3].map((p) => storedBatches('keyed', p)))).flat();
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) {
      expect(h.producerId).toBeGreaterThanOrEqual(0);
      expect(h.producerEpoch).toBe(0);
    }
    expect(new Set(headers.map((h) => h.producerId)).size).toBe(1);

    const consumer = await groupConsumer('keyed-reader');
    const received: { key: string; value: string; partition: number; offset: bigint }[] = [];
    const running = consumer.runEach('keyed', async (m) => {
      received.push({ key: m.key!.toString(), value: m.value.toString(), partition: m.partition, offset: m.offset });
    });
    await until(() => received.length >= sent.length, 20_000, 'every keyed message');
    consumer.stop();
    await running;
    expect(received).toHaveLength(sent.length);
    for (let k = 0; k < 16; k++) {
      const key = `key-${k}`;
      expect(received.filter((r) => r.key === key).map((r) => r.value)).toEqual(sent.filter((s) => s.key === key).map((s) => s.value));
    }
    const [committed] = await kafkajsFetchOffsets('keyed-reader', 'keyed');
    expect(committed!.partitions.map((p) => Number(p.offset)).sort()).toEqual([0, 1, 2, 3].map((p) => Number(latest.get(p))).sort());
  });

  async function kafkajsFetchOffsets(groupId: string, topic: string): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]> {
    const admin = kafkajs.admin();
    await admin.connect();
    try {
      return await admin.fetchOffsets({ groupId, topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  }

  it('a group of three: one member SIGKILLed without leaving, its partitions move and are read from the committed offsets, nothing lost', async () => {
    const admin = client.admin();
    await admin.createTopics([{ name: 'work', numPartitions: 6 }]);
    const seen = new Map<string, { partition: number; offset: number; by: string }[]>();
    const record = (by: string, partition: number, offset: number, value: string): void => {
      const list = seen.get(value) ?? [];
      list.push({ partition, offset, by });
      seen.set(value, list);
    };

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tb.bootstrap, 'workers', 'work'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const childPartitions = new Set<number>();
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as Obj;
      if (e.event === 'assigned') for (const p of e.partitions as number[]) childPartitions.add(p);
      else if (e.event === 'revoked' || e.event === 'lost') for (const p of e.partitions as number[]) childPartitions.delete(p);
      else record('child', e.partition as number, Number(e.offset), e.value as string);
    });
    await until(() => childPartitions.size > 0, 30_000, 'the child consumer assigned');

    for (const name of ['a', 'b']) {
      const consumer = await groupConsumer('workers');
      void consumer.runEach('work', async (m) => record(name, m.partition, Number(m.offset), m.value.toString()), { autoCommitIntervalMs: 100 });
    }
    await until(
      async () => {
        const [group] = await admin.describeGroups(['workers']);
        return group!.state === 'Stable' && group!.members.length === 3 && group!.members.every((m) => m.assignment.length === 2);
      },
      30_000,
      'a stable group of three members with two partitions each',
    );
    await until(() => childPartitions.size === 2, 10_000, 'the child holding two partitions');
    const killedPartitions = [...childPartitions].sort();

    const producer = client.producer({ acks: 'all', lingerMs: 2 });
    cleanups.push(() => producer.disconnect());
    const phase1 = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`one-${i}`) }));
    await producer.send('work', phase1);
    await until(() => phase1.every((m) => seen.has(m.value.toString())), 20_000, 'phase 1 consumed');
    const ends = await admin.fetchTopicOffsets('work', [0, 1, 2, 3, 4, 5], 'latest');
    await until(
      async () => {
        const [committed] = await kafkajsFetchOffsets('workers', 'work');
        return committed!.partitions.every((p) => Number(p.offset) === Number(ends.get(p.partition)));
      },
      20_000,
      'phase 1 committed',
    );
    expect(phase1.filter((m) => seen.get(m.value.toString())!.some((s) => s.by === 'child')).length).toBeGreaterThan(0);

    child.kill('SIGKILL');
    const [committedAtKill] = await kafkajsFetchOffsets('workers', 'work');
    const phase2 = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`two-${i}`) }));
    await producer.send('work', phase2);
    await until(() => phase2.every((m) => seen.has(m.value.toString())), 40_000, 'phase 2 consumed by the survivors');

    for (const m of [...phase1, ...phase2]) expect(seen.has(m.value.toString()), m.value.toString()).toBe(true);
    for (const m of phase2) expect(seen.get(m.value.toString())!.every((s) => s.by !== 'child')).toBe(true);
    for (const partition of killedPartitions) {
      const committed = Number(committedAtKill!.partitions.find((p) => p.partition === partition)!.offset);
      const afterKill = [...seen.values()].flat().filter((s) => s.partition === partition && s.by !== 'child').map((s) => s.offset);
      expect(afterKill.length).toBeGreaterThan(0);
      expect(Math.min(...afterKill)).toBe(committed);
    }
    const [group] = await admin.describeGroups(['workers']);
    expect(group!.members).toHaveLength(2);
    expect(group!.members.flatMap((m) => m.assignment.map((a) => a.partition)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('admin: create and delete topics, earliest and latest offsets, list, describe and delete groups', async () => {
    const admin = client.admin();
    const [created] = await admin.createTopics([{ name: 'adm', numPartitions: 3, configs: { 'retention.ms': '60000' } }]);
    expect(created).toMatchObject({ name: 'adm', errorCode: 0, numPartitions: 3 });
    expect(created!.topicId).toMatch(/^[0-9a-f-]{36}$/);
    const [again] = await admin.createTopics([{ name: 'adm', numPartitions: 3 }]);
    expect(again!.errorCode).toBe(TOPIC_ALREADY_EXISTS);
    expect(await admin.listTopics()).toContain('adm');
    const [described] = await admin.describeTopics(['adm']);
    expect(described).toMatchObject({ name: 'adm', topicId: created!.topicId, isInternal: false });
    expect(described!.partitions).toHaveLength(3);

    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    cleanups.push(() => producer.disconnect());
    await producer.send(
      'adm',
      [0, 1, 2].flatMap((partition) => [{ partition, value: Buffer.from('a') }, { partition, value: Buffer.from('b') }]),
    );
    const earliest = await admin.fetchTopicOffsets('adm', [0, 1, 2], 'earliest');
    const latest = await admin.fetchTopicOffsets('adm', [0, 1, 2], 'latest');
    expect([...earliest].sort()).toEqual([[0, 0n], [1, 0n], [2, 0n]]);
    expect([...latest].sort()).toEqual([[0, 2n], [1, 2n], [2, 2n]]);

    const consumer = await groupConsumer('adm-group');
    let count = 0;
    const running = consumer.runEach('adm', async () => void count++, { autoCommitIntervalMs: 100 });
    await until(() => count === 6, 20_000, 'six messages');
    const [group] = await admin.describeGroups(['adm-group']);
    expect(group).toMatchObject({ groupId: 'adm-group', state: 'Stable', protocolType: 'consumer' });
    expect(group!.members).toHaveLength(1);
    expect(group!.members[0]!.clientHost).toBe('/127.0.0.1');
    expect(group!.members[0]!.assignment.map((a) => a.partition).sort()).toEqual([0, 1, 2]);
    consumer.stop();
    await running;
    const [committed] = await kafkajsFetchOffsets('adm-group', 'adm');
    expect(committed!.partitions.map((p) => p.offset)).toEqual(['2', '2', '2']);
    expect((await admin.listGroups()).map((g) => g.groupId)).toContain('adm-group');

    expect(await admin.deleteGroups(['adm-group'])).toEqual([expect.objectContaining({ groupId: 'adm-group', errorCode: 0 })]);
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain('adm-group');
    expect(await admin.deleteTopics(['adm'])).toEqual([{ name: 'adm', errorCode: 0, errorMessage: null }]);
    expect(await admin.listTopics()).not.toContain('adm');
  });
});
