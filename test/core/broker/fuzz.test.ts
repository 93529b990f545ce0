import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { encodeRecordBatch } from '../../../core/log/record-batch.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';
import { encodeRequestFrame } from '../../fixtures/broker-raw-client.ts';

const FUZZ_MS = 5_000;
const WORKERS = 8;

/** Mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid requests of many APIs and versions, the material mutations start from. */
function corpus(): Buffer[] {
  const records = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 }]);
  const produce = { transactionalId: null, acks: -1, timeoutMs: 100, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records }] }] };
  const fetch = {
    replicaId: -1, maxWaitMs: 50, minBytes: 1, maxBytes: 1 << 16, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'fuzz', topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 16 }] }],
    forgottenTopicsData: [], rackId: '',
  };
  const join = {
    groupId: 'fuzz-group', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 4, 102, 117, 122, 122, 0, 0, 0, 0]) }],
  };
  const commit = {
    groupId: 'fuzz-commit', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
  };
  const list: [number, number, object][] = [
    [API_KEYS.ApiVersions, 0, {}],
    [API_KEYS.ApiVersions, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' }],
    [API_KEYS.Metadata, 1, { topics: [{ name: 'fuzz' }] }],
    [API_KEYS.Metadata, 9, { topics: [{ name: 'fuzz' }], allowAutoTopicCreation: true }],
    [API_KEYS.Metadata, 12, { topics: null }],
    [API_KEYS.Produce, 3, produce],
    [API_KEYS.Produce, 9, produce],
    [API_KEYS.Fetch, 4, fetch],
    [API_KEYS.Fetch, 11, fetch],
    [API_KEYS.Fetch, 12, fetch],
    [API_KEYS.ListOffsets, 1, { replicaId: -1, topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }],
    [API_KEYS.ListOffsets, 7, { replicaId: -1, isolationLevel: 1, topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, timestamp: -3 }] }] }],
    [API_KEYS.FindCoordinator, 0, { key: 'fuzz-group' }],
    [API_KEYS.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] }],
    [API_KEYS.JoinGroup, 0, join],
    [API_KEYS.JoinGroup, 7, join],
    [API_KEYS.SyncGroup, 5, { groupId: 'fuzz-group', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }],
    [API_KEYS.Heartbeat, 4, { groupId: 'fuzz-group', generationId: 1, memberId: 'm', groupInstanceId: null }],
    [API_KEYS.LeaveGroup, 4, { groupId: 'fuzz-group', members: [{ memberId: 'm', groupInstanceId: null }] }],
    [API_KEYS.OffsetCommit, 2, commit],
    [API_KEYS.OffsetCommit, 8, commit],
    [API_KEYS.OffsetFetch, 1, { groupId: 'fuzz-commit', topics: [{ name: 'fuzz', partitionIndexes: [0] }] }],
    [API_KEYS.OffsetFetch, 8, { groups: [{ groupId: 'fuzz-commit', topics: null }], requireStable: false }],
    [API_KEYS.DescribeGroups, 5, { groups: ['fuzz-group'], includeAuthorizedOperations: false }],
    [API_KEYS.ListGroups, 4, { statesFilter: ['Stable'] }],
    [API_KEYS.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'fuzz', configurationKeys: null }], includeSynonyms: true, includeDocumentation: false }],
    [API_KEYS.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 }],
  ];
  // CreateTopics and CreatePartitions are left out: a mutated partition count is a valid (if costly) request.
  return list.map(([key, version, body], i) => encodeRequestFrame(key, version, i + 1, body));
}

/** One bad frame (or byte stream) chosen at random. */
function badInput(rand: () => number, frames: Buffer[]): Buffer {
  const pick = frames[Math.floor(rand() * frames.length)]!;
  const kind = Math.floor(rand() * 6);
  switch (kind) {
    case 0: {
      // random bytes with a random (possibly lying) size prefix
      const body = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      const size = Buffer.alloc(4);
      size.writeInt32BE(rand() < 0.5 ? body.length : Math.floor(rand() * 0x7fffffff) - (rand() < 0.2 ? 0x7fffffff : 0), 0);
      return Buffer.concat([size, body]);
    }
    case 1: {
      // a valid request with a few bytes flipped after the size prefix
      const copy = Buffer.from(pick);
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips; i++) {
        const at = 4 + Math.floor(rand() * (copy.length - 4));
        copy.writeUInt8(Math.floor(rand() * 256), at);
      }
      return copy;
    }
    case 2: {
      // truncated, with the size prefix saying so (garbage after a valid header)
      const cut = 4 + Math.floor(rand() * (pick.length - 4));
      const copy = Buffer.from(pick.subarray(0, cut));
      copy.writeInt32BE(cut - 4, 0);
      return copy;
    }
    case 3:
      // truncated, size prefix still claiming the whole frame: the broker waits, then the client hangs up
      return Buffer.from(pick.subarray(0, 4 + Math.floor(rand() * (pick.length - 4))));
    case 4: {
      // a valid request followed by a mutated one
      const copy = Buffer.from(pick);
      copy.writeUInt8(Math.floor(rand() * 256), 4 + Math.floor(rand() * 4));
      return Buffer.concat([pick, copy]);
    }
    default: {
      // a whole frame with a huge or negative size
      const size = Buffer.alloc(4);
      size.writeInt32BE(rand() < 0.5 ? -1 - Math.floor(rand() * 1000) : 0x7fffffff - Math.floor(rand() * 1000), 0);
      return Buffer.concat([size, pick.subarray(4)]);
    }
  }
}

function hitAndRun(port: number, bytes: Buffer, lingerMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, lingerMs);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      // Sometimes in pieces, to exercise incremental framing.
      const split = Math.floor(bytes.length / 2);
      socket.write(bytes.subarray(0, split));
      setImmediate(() => !socket.destroyed && socket.write(bytes.subarray(split)));
    });
  });
}

describe('core/broker fuzz', () => {
  let tb: TestBroker;
  beforeEach(async () => {
    tb = await startTestBroker();
  });
  afterEach(async () => {
    await tb.cleanup();
  });

  it(`survives ${FUZZ_MS / 1000} s of random and mutated frames, then serves a kafkajs producer and consumer with nothing lost`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const rand = prng(seed);
    const frames = corpus();
    const deadline = Date.now() + FUZZ_MS;
    let sent = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (Date.now() < deadline) {
          await hitAndRun(tb.port, badInput(rand, frames), 20 + Math.floor(rand() * 80));
          sent++;
        }
      }),
    );
    expect(sent, `seed ${seed}`).toBeGreaterThan(100);
    if (process.env.FUZZ_REPORT !== undefined) {
      const errors = tb.logger.lines.filter((l) => l.level === 'error').map((l) => l.message.slice(0, 160));
      console.log(`seed ${seed}: ${sent} inputs, ${tb.logger.problems.length} problems, errors:`, [...new Set(errors)].slice(0, 30));
    }
    const closedBad = tb.logger.problems.filter((l) => l.message.startsWith('Connection 127.0.0.1:') && l.message.includes('closing it'));
    expect(closedBad.length, `seed ${seed}`).toBeGreaterThan(10);

    const kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'after-fuzz', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true });
    const consumer = kafka.consumer({ groupId: 'after-fuzz', maxWaitTimeInMs: 100 });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'survivor', numPartitions: 3 }] });
      await producer.connect();
      const values = Array.from({ length: 300 }, (_, i) => `value-${i}`);
      for (let i = 0; i < values.length; i += 50) {
        await producer.send({ topic: 'survivor', acks: -1, messages: values.slice(i, i + 50).map((value, j) => ({ key: `k${i + j}`, value })) });
      }
      await consumer.connect();
      await consumer.subscribe({ topics: ['survivor'], fromBeginning: true });
      const received = new Set<string>();
      await consumer.run({ eachMessage: async ({ message }) => void received.add(message.value!.toString()) });
      const until = Date.now() + 20_000;
      while (received.size < values.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect([...received].sort(), `seed ${seed}`).toEqual([...values].sort());
    } finally {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    }
  });
});
