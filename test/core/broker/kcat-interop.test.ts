import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { KAFKA_ERROR_CODES as E } from '../../../core/broker/protocol/error-codes.ts';
import { encodeRecordBatch, forEachBatch } from '../../../core/log/record-batch.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';
import { kcat } from '../../fixtures/broker-kcat.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';

type Obj = Record<string, any>;

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const CODEC_IDS: Record<(typeof CODECS)[number], number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

describe('core/broker interop with kcat (librdkafka)', () => {
  let tb: TestBroker;

  beforeEach(async () => {
    tb = await startTestBroker();
  });
  afterEach(async () => {
    await tb.cleanup();
  });

  async function fetchAll(topic: string): Promise<Buffer> {
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
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 24 }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
      const p = (body.responses as Obj[])[0]!.partitions[0] as Obj;
      expect(p.errorCode).toBe(E.NONE);
      return p.records as Buffer;
    } finally {
      c.close();
    }
  }

  it('-L lists the broker and topics', async () => {
    const created = await kcat(tb.bootstrap, ['-P', '-t', 'listed'], 'one\n');
    expect(created.code).toBe(0);
    const result = await kcat(tb.bootstrap, ['-L', '-J']);
    expect(result.code).toBe(0);
    const metadata = JSON.parse(result.stdout) as Obj;
    expect(metadata.brokers).toEqual([{ id: 0, name: `127.0.0.1:${tb.port}` }]);
    const topic = (metadata.topics as Obj[]).find((t) => t.topic === 'listed')!;
    expect(topic.partitions).toHaveLength(1);
    expect(topic.partitions[0]).toMatchObject({ partition: 0, leader: 0, replicas: [{ id: 0 }], isrs: [{ id: 0 }] });
  });

  it.each(CODECS)('-P -z %s stores the batches as given and kcat consumes them back', async (codec) => {
    const topic = `codec-${codec}`;
    const lines = Array.from({ length: 200 }, (_, i) => `${codec} line ${i} ${'x'.repeat(i % 50)}`);
    const produced = await kcat(tb.bootstrap, ['-P', '-t', topic, '-z', codec, '-X', 'linger.ms=50'], `${lines.join('\n')}\n`);
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await kcat(tb.bootstrap, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n').filter((l) => l.length > 0)).toEqual(lines);
    const ids = new Set<number>();
    forEachBatch(await fetchAll(topic), (_position, header) => ids.add(CODEC_IDS[header.compression]));
    expect([...ids]).toEqual([CODEC_IDS[codec]]);
  });

  it('-C -o beginning -e reads every partition to its end and exits', async () => {
    const admin = await RawClient.connect(tb.port);
    await admin.request(API_KEYS.CreateTopics, 4, {
      topics: [{ name: 'spread', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    admin.close();
    const lines = Array.from({ length: 90 }, (_, i) => `k${i}:v${i}`);
    expect((await kcat(tb.bootstrap, ['-P', '-t', 'spread', '-K', ':'], `${lines.join('\n')}\n`)).code).toBe(0);
    const consumed = await kcat(tb.bootstrap, ['-C', '-t', 'spread', '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.split('\n').filter((l) => l.length > 0).sort()).toEqual([...lines].sort());
  });

  it('-G consumes in a group and resumes from the committed offsets after a broker restart', async () => {
    const first = Array.from({ length: 10 }, (_, i) => `first-${i}`);
    expect((await kcat(tb.bootstrap, ['-P', '-t', 'grouped'], `${first.join('\n')}\n`)).code).toBe(0);
    const run1 = await kcat(tb.bootstrap, ['-G', 'kgroup', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\n', 'grouped']);
    expect(run1.code, run1.stderr).toBe(0);
    expect(run1.stdout.split('\n').filter((l) => l.length > 0)).toEqual(first);

    const dir = tb.dir;
    await tb.close();
    tb = await startTestBroker({ dir });
    const second = Array.from({ length: 5 }, (_, i) => `second-${i}`);
    expect((await kcat(tb.bootstrap, ['-P', '-t', 'grouped'], `${second.join('\n')}\n`)).code).toBe(0);
    const run2 = await kcat(tb.bootstrap, ['-G', 'kgroup', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\n', 'grouped']);
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stdout.split('\n').filter((l) => l.length > 0)).toEqual(second);
  });

  it('-Q looks offsets up by time, and -1 / -2 give the end and start', async () => {
    const c = await RawClient.connect(tb.port);
    await c.request(API_KEYS.Metadata, 4, { topics: [{ name: 'timed' }], allowAutoTopicCreation: true });
    for (const ts of [1_000, 2_000, 3_000]) {
      const records = encodeRecordBatch([{ key: null, value: Buffer.from(`at ${ts}`), timestamp: ts }]);
      const body = await c.request(API_KEYS.Produce, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'timed', partitionData: [{ index: 0, records }] }],
      });
      expect(((body.responses as Obj[])[0]!.partitionResponses[0] as Obj).errorCode).toBe(E.NONE);
    }
    c.close();
    const query = async (ts: number): Promise<string> => {
      const r = await kcat(tb.bootstrap, ['-Q', '-t', `timed:0:${ts}`]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(await query(1_500)).toBe('timed [0] offset 1');
    expect(await query(2_000)).toBe('timed [0] offset 1');
    expect(await query(500)).toBe('timed [0] offset 0');
    expect(await query(9_000)).toBe('timed [0] offset -1');
    expect(await query(-1)).toBe('timed [0] offset 3');
    expect(await query(-2)).toBe('timed [0] offset 0');
  });
});
