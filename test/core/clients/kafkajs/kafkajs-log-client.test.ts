import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KafkajsLogClient, checkKafkaOptions } from '../../../../core/clients/kafkajs/kafkajs-log-client.ts';
import type { TopicPartitions } from '../../../../core/clients/log-client.ts';
import { partitionForKey } from '../../../../core/clients/partitioner.ts';
import { StickyAssignor } from '../../../../core/log/assignors/sticky-assignor.ts';
import { TributaryError } from '../../../../core/errors/tributary-error.ts';
import { InvalidConfigError } from '../../../../core/errors/log-errors.ts';
import { startTestBroker, type TestBroker } from '../../../fixtures/broker-harness.ts';

let broker: TestBroker;
let client: KafkajsLogClient;

beforeEach(async () => {
  broker = await startTestBroker();
  client = new KafkajsLogClient({ brokers: [broker.bootstrap], clientId: 'kafkajs-log-client-test', logLevel: 'nothing' });
});
afterEach(async () => {
  await client.close();
  await broker.cleanup();
});

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function createTopics(topics: { topic: string; numPartitions: number; configEntries?: { name: string; value: string }[] }[]): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics });
  await admin.disconnect();
}

describe('core/clients/kafkajs/kafkajs-log-client', () => {
  it('rejects options without brokers', () => {
    expect(() => new KafkajsLogClient({ brokers: [] })).toThrow(InvalidConfigError);
    expect(() => checkKafkaOptions({ brokers: ['no-port'] })).toThrow(InvalidConfigError);
    expect(() => checkKafkaOptions({ brokers: ['localhost:9092'], clientId: '' })).toThrow(InvalidConfigError);
    expect(() => checkKafkaOptions({ brokers: ['localhost:9092', '[::1]:9093'] })).not.toThrow();
  });

  it('admin creates topics with configs; the producer partitions keys with murmur2 like the embedded log', async () => {
    await createTopics([{ topic: 'events', numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
    const admin = client.admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain('events');
    const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: 'events' }], includeSynonyms: false });
    expect(resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
    const producer = client.producer();
    await producer.connect();
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    await producer.send({ topic: 'events', messages: keys.map((key) => ({ key, value: key })) });
    // Kafka's DefaultPartitioner: murmur2 of the key bytes, where the embedded log puts each key too.
    const landed = await client.fetch(
      [0, 1, 2, 3].map((partition) => ({ topic: 'events', partition, offset: 0, maxBytes: 1 << 20 })),
      { maxWaitMs: 0 },
    );
    const placed = landed.flatMap((p) => p.records.map((r) => [r.key!.toString(), p.partition] as const));
    expect(placed).toHaveLength(20);
    for (const [key, partition] of placed) expect(partition).toBe(partitionForKey(Buffer.from(key), 4));
    expect(new Set(placed.map(([, p]) => p)).size).toBeGreaterThan(1);
    const offsets = await admin.fetchTopicOffsets('events');
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(20);
    // Existing topic: false, no error (kafkajs semantics).
    expect(await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 4 }] })).toBe(false);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('fetch reads a partition from an offset, reports offset out of range with the log bounds, and unknown partitions', async () => {
    await createTopics([{ topic: 'changelog', numPartitions: 2 }]);
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic: 'changelog', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: 1, timestamp: String(1000 + i), headers: { h: 'x' } })) });
    await producer.send({ topic: 'changelog', messages: [{ key: 'k', value: null, partition: 1 }] });
    const [p] = await client.fetch([{ topic: 'changelog', partition: 1, offset: 3, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
    expect(p!.error).toBeUndefined();
    expect(p!.highWatermark).toBe(11);
    expect(p!.logStartOffset).toBe(0);
    expect(p!.records.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(p!.records[0]!.key!.toString()).toBe('k3');
    expect(p!.records[0]!.timestamp).toBe(1003);
    expect(p!.records[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(p!.records[7]!.value).toBeNull();
    expect(p!.nextOffset).toBe(11);

    const [empty, beyond, unknown] = await client.fetch(
      [
        { topic: 'changelog', partition: 0, offset: 0, maxBytes: 1 << 20 },
        { topic: 'changelog', partition: 1, offset: 50, maxBytes: 1 << 20 },
        { topic: 'no-such-topic', partition: 0, offset: 0, maxBytes: 1 << 20 },
      ],
      { maxWaitMs: 0 },
    );
    expect(empty).toMatchObject({ highWatermark: 0, records: [], nextOffset: 0 });
    expect(beyond!.error).toBeInstanceOf(TributaryError);
    expect(beyond!.error!.code).toBe('OFFSET_OUT_OF_RANGE');
    expect(beyond).toMatchObject({ highWatermark: 11, logStartOffset: 0, nextOffset: 50 });
    expect(unknown!.highWatermark).toBe(-1);
    expect(unknown!.error!.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await producer.disconnect();
  });

  it('consumers run a Tributary assignor; a rebalance revokes everything (offsets still committable) before rejoining, then assigns sticky', async () => {
    await createTopics([{ topic: 'orders', numPartitions: 4 }]);
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: Array.from({ length: 40 }, (_, i) => ({ value: String(i), partition: i % 4 })) });
    const events: string[] = [];
    const seen: Record<string, number> = { a: 0, b: 0 };
    const assigned: Record<string, TopicPartitions[]> = { a: [], b: [] };
    const make = (name: string) => {
      const consumer = client.consumer({
        groupId: 'orders-group',
        partitionAssigners: [new StickyAssignor()],
        sessionTimeout: 6000,
        heartbeatInterval: 100,
        autoOffsetReset: 'earliest',
        onPartitionsRevoked: async (revoked) => {
          events.push(`${name} revoked ${JSON.stringify(revoked)}`);
          // The old generation still accepts commits here (before this member rejoins).
          await consumer.commitOffsets(revoked.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition, offset: '10' }))));
          events.push(`${name} committed`);
        },
        onPartitionsAssigned: (a) => {
          assigned[name] = a;
          events.push(`${name} assigned ${JSON.stringify(a)}`);
        },
      });
      return consumer;
    };
    const a = make('a');
    await a.connect();
    await a.subscribe({ topics: ['orders'] });
    await a.run({ autoCommit: false, eachBatch: async ({ batch }) => void (seen.a! += batch.messages.length) });
    expect(assigned.a).toEqual([{ topic: 'orders', partitions: [0, 1, 2, 3] }]);
    await waitFor(() => seen.a === 40);

    const b = make('b');
    await b.connect();
    await b.subscribe({ topics: ['orders'] });
    await b.run({ autoCommit: false, eachBatch: async ({ batch }) => void (seen.b! += batch.messages.length) });
    await waitFor(() => assigned.a!.length === 1 && assigned.a![0]!.partitions.length === 2 && assigned.b!.length === 1);
    const aIndex = events.indexOf('a revoked [{"topic":"orders","partitions":[0,1,2,3]}]');
    expect(aIndex).toBeGreaterThan(0);
    expect(events[aIndex + 1]).toBe('a committed');
    // Sticky: a keeps two of its partitions, b gets the other two; together all four.
    const all = [...assigned.a![0]!.partitions, ...assigned.b![0]!.partitions].sort();
    expect(all).toEqual([0, 1, 2, 3]);
    // b starts from the offsets a committed while revoking: 10 per partition, so it reads nothing old.
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.b).toBe(0);
    const admin = client.admin();
    await admin.connect();
    const lag = await admin.fetchGroupLag({ groupId: 'orders-group' });
    expect(lag.map((l) => [l.partition, l.offset, l.lag])).toEqual([
      [0, '10', '0'],
      [1, '10', '0'],
      [2, '10', '0'],
      [3, '10', '0'],
    ]);
    const group = await a.describeGroup();
    expect(group.members).toHaveLength(2);
    expect(group.protocol).toBe('sticky');
    await admin.disconnect();

    // Closing b revokes its partitions first (with a commit), then leaves: a takes everything back.
    await b.disconnect();
    expect(events).toContain('b committed');
    await waitFor(() => assigned.a![0]!.partitions.length === 4);
    await producer.disconnect();
  });
});
