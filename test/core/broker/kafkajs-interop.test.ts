import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CompressionTypes, Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { forEachBatch, type RecordBatchHeader } from '../../../core/log/record-batch.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';

type Obj = Record<string, any>;

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/broker-kafkajs-consumer.ts');

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('core/broker interop with kafkajs', () => {
  let tb: TestBroker;
  let kafka: Kafka;
  const toDisconnect: { disconnect(): Promise<void> }[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    tb = await startTestBroker();
    kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'interop', logLevel: logLevel.NOTHING });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await Promise.allSettled(toDisconnect.splice(0).map((c) => c.disconnect()));
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

  it('keyed idempotent producer with gzip: every key stays in one partition, batches are stored gzip and idempotent', async () => {
    const admin = kafka.admin();
    toDisconnect.push(admin);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 4 }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    toDisconnect.push(producer);
    await producer.connect();
    const sent: { key: string; value: string }[] = [];
    for (let round = 0; round < 10; round++) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `key-${i % 20}`, value: `r${round}-m${i}` }));
      sent.push(...messages);
      await producer.send({ topic: 'keyed', compression: CompressionTypes.GZIP, acks: -1, messages });
    }
    const consumer = kafka.consumer({ groupId: 'keyed-reader', maxWaitTimeInMs: 100 });
    toDisconnect.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: ['keyed'], fromBeginning: true });
    const received: { key: string; value: string; partition: number }[] = [];
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ key: message.key!.toString(), value: message.value!.toString(), partition });
      },
    });
    await until(() => received.length >= sent.length, 20_000, 'all keyed messages');
    expect(received).toHaveLength(sent.length);
    const partitionOf = new Map<string, Set<number>>();
    for (const r of received) partitionOf.set(r.key, (partitionOf.get(r.key) ?? new Set()).add(r.partition));
    for (const parts of partitionOf.values()) expect(parts.size).toBe(1);
    for (let k = 0; k < 20; k++) {
      const key = `key-${k}`;
      expect(received.filter((r) => r.key === key).map((r) => r.value)).toEqual(sent.filter((s) => s.key === key).map((s) => s.value));
    }
    const headers = (await Promise.all([0, 1, 2, 3].map((p) => storedBatches('keyed', p)))).flat();
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) {
      expect(h.compression).toBe('gzip');
      expect(h.producerId).toBeGreaterThanOrEqual(0);
      expect(h.producerEpoch).toBe(0);
    }
    expect(new Set(headers.map((h) => h.producerId)).size).toBe(1);
  });

  it('a group of three consumers: one killed with SIGKILL, its partitions are reassigned and read from the committed offsets', async () => {
    const admin = kafka.admin();
    toDisconnect.push(admin);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'work', numPartitions: 6 }] });
    const seen = new Map<string, { partition: number; offset: number; by: string }[]>();
    const record = (by: string, partition: number, offset: number, value: string): void => {
      const list = seen.get(value) ?? [];
      list.push({ partition, offset, by });
      seen.set(value, list);
    };

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tb.bootstrap, 'workers', 'work'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let childPartitions: number[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as Obj;
      if (e.event === 'assigned') childPartitions = e.partitions as number[];
      else record('child', e.partition as number, Number(e.offset), e.value as string);
    });

    const survivors: Consumer[] = [];
    for (const name of ['a', 'b']) {
      const consumer = kafka.consumer({ groupId: 'workers', sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 10_000, maxWaitTimeInMs: 300 });
      toDisconnect.push(consumer);
      survivors.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: ['work'], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => record(name, partition, Number(message.offset), message.value!.toString()),
      });
    }
    await until(
      async () => {
        const { groups } = await admin.describeGroups(['workers']);
        return groups[0]!.state === 'Stable' && groups[0]!.members.length === 3 && childPartitions.length > 0;
      },
      30_000,
      'a stable group of three with the child assigned',
    );
    expect(childPartitions.length).toBe(2);

    const producer = kafka.producer();
    toDisconnect.push(producer);
    await producer.connect();
    const phase1 = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `one-${i}` }));
    await producer.send({ topic: 'work', acks: -1, messages: phase1 });
    await until(() => phase1.every((m) => seen.has(m.value)), 20_000, 'phase 1 consumed');
    const ends = await admin.fetchTopicOffsets('work');
    await until(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: 'workers', topics: ['work'] });
        return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high);
      },
      20_000,
      'phase 1 committed',
    );
    expect(phase1.filter((m) => seen.get(m.value)!.some((s) => s.by === 'child')).length).toBeGreaterThan(0);

    child.kill('SIGKILL');
    const [committedAtKill] = await admin.fetchOffsets({ groupId: 'workers', topics: ['work'] });
    const phase2 = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `two-${i}` }));
    await producer.send({ topic: 'work', acks: -1, messages: phase2 });
    await until(() => phase2.every((m) => seen.has(m.value)), 40_000, 'phase 2 consumed by the survivors');

    for (const m of [...phase1, ...phase2]) expect(seen.has(m.value), m.value).toBe(true);
    for (const m of phase2) expect(seen.get(m.value)!.every((s) => s.by !== 'child')).toBe(true);
    for (const partition of childPartitions) {
      const committed = Number(committedAtKill!.partitions.find((p) => p.partition === partition)!.offset);
      const afterKill = [...seen.values()].flat().filter((s) => s.partition === partition && s.by !== 'child').map((s) => s.offset);
      expect(afterKill.length).toBeGreaterThan(0);
      expect(Math.min(...afterKill)).toBe(committed);
    }
    const { groups } = await admin.describeGroups(['workers']);
    expect(groups[0]!.members).toHaveLength(2);
  });

  it('admin: create and delete topics, partitions, fetch topic and group offsets, describe groups and configs', async () => {
    const admin = kafka.admin();
    toDisconnect.push(admin);
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '60000' }] }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 2 }] })).toBe(false);
    await admin.createPartitions({ topicPartitions: [{ topic: 'adm', count: 3 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['adm'] });
    expect(metadata.topics[0]!.partitions).toHaveLength(3);
    const producer = kafka.producer();
    toDisconnect.push(producer);
    await producer.connect();
    await producer.send({ topic: 'adm', messages: [0, 1, 2].flatMap((p) => [{ partition: p, value: 'a' }, { partition: p, value: 'b' }]) });
    const offsets = await admin.fetchTopicOffsets('adm');
    expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
      [0, '0', '2'],
      [1, '0', '2'],
      [2, '0', '2'],
    ]);

    const consumer = kafka.consumer({ groupId: 'adm-group', maxWaitTimeInMs: 100 });
    toDisconnect.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: ['adm'], fromBeginning: true });
    let count = 0;
    await consumer.run({ eachMessage: async () => void count++ });
    await until(() => count === 6, 20_000, 'six messages');
    const { groups } = await admin.describeGroups(['adm-group']);
    expect(groups[0]).toMatchObject({ groupId: 'adm-group', state: 'Stable', protocolType: 'consumer' });
    expect(groups[0]!.members).toHaveLength(1);
    expect(groups[0]!.members[0]!.clientHost).toBe('/127.0.0.1');
    await consumer.disconnect();
    const [committed] = await admin.fetchOffsets({ groupId: 'adm-group', topics: ['adm'] });
    expect(committed!.partitions.map((p) => p.offset)).toEqual(['2', '2', '2']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('adm-group');

    await admin.setOffsets({ groupId: 'adm-group', topic: 'adm', partitions: [{ partition: 0, offset: '1' }] });
    const [reset] = await admin.fetchOffsets({ groupId: 'adm-group', topics: ['adm'] });
    expect(reset!.partitions.find((p) => p.partition === 0)!.offset).toBe('1');

    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: 'adm' }], includeSynonyms: false });
    const retention = configs.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')!;
    expect(retention).toMatchObject({ configValue: '60000', isDefault: false });

    await admin.deleteTopicRecords({ topic: 'adm', partitions: [{ partition: 1, offset: '1' }] });
    expect((await admin.fetchTopicOffsets('adm')).find((o) => o.partition === 1)!.low).toBe('1');

    await admin.deleteGroups(['adm-group']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('adm-group');
    await admin.deleteTopics({ topics: ['adm'] });
    expect(await admin.listTopics()).not.toContain('adm');
  });
});
