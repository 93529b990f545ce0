import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../../core/clients/embedded/embedded-log.ts';
import { KafkajsLogClient } from '../../../../core/clients/kafkajs/kafkajs-log-client.ts';
import type { LogClient, Message } from '../../../../core/clients/log-client.ts';
import type { FetchedPartition, FetchRequest } from '../../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../../core/runtime/tributary-streams.ts';
import type { StreamsConfig } from '../../../../core/runtime/streams-config.ts';
import { Serdes } from '../../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../../operators/streams-builder.ts';
import { startTestBroker, type TestBroker } from '../../../fixtures/broker-harness.ts';

const str = Serdes.string();
const int64 = Serdes.int64();
let dir: string;
let broker: TestBroker;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-kafkajs-streams-'));
  broker = await startTestBroker();
});
afterEach(async () => {
  await broker.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The application code, the same on every backend: a stateless branch and a stateful word count. */
function topology() {
  const b = new StreamsBuilder();
  const lines = b.stream<string, string>('lines', { keySerde: str, valueSerde: str });
  lines
    .filter((_k, line) => !line.startsWith('#'))
    .mapValues((line) => line.toUpperCase())
    .to('upper', { keySerde: str, valueSerde: str });
  lines
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
    .groupBy((_k, word) => word, { keySerde: str, valueSerde: str })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to('counts', { keySerde: str, valueSerde: int64 });
  return b.build();
}

const WORDS = ['kafka', 'stream', 'table', 'window', 'join', 'log', 'broker', 'task'];

function input(): Message[] {
  return Array.from({ length: 300 }, (_, i) => {
    const words = [WORDS[i % 8], WORDS[(i * 3) % 8], WORDS[(i * 5 + 1) % 8]].join(' ');
    return { key: `user-${i % 13}`, value: i % 10 === 0 ? `# comment ${i}` : `${words} ${i}`, timestamp: String(1_000 + i) };
  });
}

interface Outputs {
  /** upper: per key, the values in order. */
  readonly upper: Map<string, string[]>;
  /** counts: word -> latest count. */
  readonly counts: Map<string, number>;
}

type Fetcher = { fetch(requests: readonly FetchRequest[], options: { maxWaitMs: number }): Promise<FetchedPartition[]> };

async function readOutputs(client: Fetcher): Promise<Outputs> {
  const upper = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const [topic, partitions] of [['upper', 3], ['counts', 2]] as const) {
    const fetched = await client.fetch(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0, maxBytes: 16 << 20 })),
      { maxWaitMs: 0 },
    );
    for (const p of fetched) {
      for (const r of p.records) {
        const key = r.key!.toString();
        if (topic === 'upper') upper.set(key, [...(upper.get(key) ?? []), r.value!.toString()]);
        else counts.set(key, int64.deserialize(topic, r.value!) as number);
      }
    }
  }
  return { upper, counts };
}

async function prepare(client: LogClient): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'lines', numPartitions: 3 },
      { topic: 'upper', numPartitions: 3 },
      { topic: 'counts', numPartitions: 2 },
    ],
  });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic: 'lines', messages: input() });
  await producer.disconnect();
}

async function runUntil(app: TributaryStreams, done: () => Promise<boolean>): Promise<void> {
  await app.start();
  const until = Date.now() + 30_000;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('timed out waiting for the outputs');
    await new Promise((r) => setTimeout(r, 50));
  }
  await app.close();
}

function expected(): Outputs {
  const upper = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const m of input()) {
    const key = m.key as string;
    const value = m.value as string;
    if (!value.startsWith('#')) upper.set(key, [...(upper.get(key) ?? []), value.toUpperCase()]);
    for (const w of value.toLowerCase().split(/\W+/).filter((x) => x.length > 0)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return { upper, counts };
}

describe('core/clients/kafkajs: the same topology on the embedded log and through kafkajs on the broker', () => {
  it('gives the same outputs (stateless branch and stateful count with its changelog and repartition topics)', async () => {
    const want = expected();
    const complete = async (client: Fetcher): Promise<boolean> => {
      const got = await readOutputs(client);
      return [...want.counts].every(([w, n]) => got.counts.get(w) === n) && got.upper.size === want.upper.size;
    };
    const config = (log: StreamsConfig['log'], name: string): StreamsConfig => ({
      applicationId: 'equivalence',
      log,
      commitIntervalMs: 100,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 300,
      stateDir: join(dir, `state-${name}`),
    });

    // 1. Embedded log.
    const embedded = await EmbeddedLog.open({ dir: join(dir, 'embedded') });
    await prepare(embedded);
    await runUntil(new TributaryStreams(topology(), config({ client: embedded }, 'embedded')), () => complete(embedded));
    const onEmbedded = await readOutputs(embedded);
    await embedded.close();

    // 2. kafkajs on the Kafka-protocol broker: only the log option differs.
    const reader = new KafkajsLogClient({ brokers: [broker.bootstrap], logLevel: 'nothing' });
    await prepare(reader);
    await runUntil(new TributaryStreams(topology(), config({ kafka: { brokers: [broker.bootstrap] } }, 'kafka')), () => complete(reader));
    const onKafka = await readOutputs(reader);

    expect(onEmbedded.counts).toEqual(want.counts);
    expect(onEmbedded.upper).toEqual(want.upper);
    expect(onKafka.counts).toEqual(onEmbedded.counts);
    expect(onKafka.upper).toEqual(onEmbedded.upper);

    // The internal topics were created through the admin with the source's partition count and configs.
    const admin = reader.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('equivalence-')).sort();
    expect(topics).toHaveLength(2);
    const changelog = topics.find((t) => t.endsWith('-changelog'))!;
    const repartition = topics.find((t) => t.endsWith('-repartition'))!;
    const meta = await admin.fetchTopicMetadata({ topics: [changelog, repartition] });
    expect(meta.topics.map((t) => t.partitions.length)).toEqual([3, 3]);
    const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: changelog }], includeSynonyms: false });
    expect(resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
    await admin.disconnect();

    // 3. A fresh instance (empty state directory) restores the counts from the changelog through kafkajs and carries on.
    const producer = reader.producer();
    await producer.connect();
    await producer.send({ topic: 'lines', messages: input() });
    await producer.disconnect();
    const restarted = new TributaryStreams(topology(), config({ kafka: { brokers: [broker.bootstrap] } }, 'kafka-fresh'));
    let restored = 0;
    restarted.on('restore', (p) => {
      if (p.done) restored += p.restored;
    });
    const doubled = async (): Promise<boolean> => {
      const got = await readOutputs(reader);
      return [...want.counts].every(([w, n]) => got.counts.get(w) === 2 * n);
    };
    await runUntil(restarted, doubled);
    expect(restored).toBeGreaterThan(0);
    await reader.close();
  });
});
