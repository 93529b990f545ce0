/**
 * Transactions through the broker with real clients: kafkajs transactional producers (commit, abort,
 * sendOffsets, fencing), kafkajs consumers at both isolation levels, kcat (librdkafka 2.0.2) with
 * isolation.level, and a transactional producer process SIGKILLed mid-transaction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';
import { kcat } from '../../fixtures/broker-kcat.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';

type Obj = Record<string, any>;

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/broker-kafkajs-txn-producer.ts');

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('core/broker interop: transactions (kafkajs, kcat)', () => {
  let tb: TestBroker;
  let kafka: Kafka;
  const toDisconnect: { disconnect(): Promise<void> }[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    tb = await startTestBroker({ transactionAbortIntervalMs: 200 });
    kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'txn-interop', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    toDisconnect.push(admin);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tx', numPartitions: 1 }, { topic: 'in', numPartitions: 2 }] });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await Promise.allSettled(toDisconnect.splice(0).map((c) => c.disconnect()));
    await tb.cleanup();
  });

  async function transactional(transactionalId: string): Promise<Producer> {
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    toDisconnect.push(producer);
    await producer.connect();
    return producer;
  }

  /** Values a fresh consumer group reads from `topic` until `expected` arrived (plus a short grace). */
  async function consume(topic: string, readUncommitted: boolean, expected: number): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: `reader-${readUncommitted}-${Math.random()}`, readUncommitted, maxWaitTimeInMs: 100 });
    toDisconnect.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await until(() => values.length >= expected, 15_000, `${expected} values from ${topic}`);
    await new Promise((r) => setTimeout(r, 300));
    await consumer.disconnect();
    return values;
  }

  /** Writes committed a1 a2, aborted b1 b2, committed c1 to `tx`. */
  async function writeMixed(): Promise<void> {
    const producer = await transactional('mixed');
    const t1 = await producer.transaction();
    await t1.send({ topic: 'tx', messages: [{ value: 'a1' }, { value: 'a2' }] });
    await t1.commit();
    const t2 = await producer.transaction();
    await t2.send({ topic: 'tx', messages: [{ value: 'b1' }, { value: 'b2' }] });
    await t2.abort();
    const t3 = await producer.transaction();
    await t3.send({ topic: 'tx', messages: [{ value: 'c1' }] });
    await t3.commit();
  }

  it('kafkajs: committed transactions reach read_committed consumers, aborted ones only readUncommitted consumers', async () => {
    await writeMixed();
    expect(await consume('tx', false, 3)).toEqual(['a1', 'a2', 'c1']);
    expect(await consume('tx', true, 5)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
  });

  it('kcat (librdkafka): isolation.level=read_committed skips aborted records, read_uncommitted returns them', async () => {
    await writeMixed();
    const committed = await kcat(tb.bootstrap, ['-C', '-t', 'tx', '-o', 'beginning', '-e', '-q', '-f', '%s\\n', '-X', 'isolation.level=read_committed']);
    expect(committed.code, committed.stderr).toBe(0);
    expect(committed.stdout.trim().split('\n')).toEqual(['a1', 'a2', 'c1']);
    const uncommitted = await kcat(tb.bootstrap, ['-C', '-t', 'tx', '-o', 'beginning', '-e', '-q', '-f', '%s\\n', '-X', 'isolation.level=read_uncommitted']);
    expect(uncommitted.code, uncommitted.stderr).toBe(0);
    expect(uncommitted.stdout.trim().split('\n')).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
  });

  it('kcat (librdkafka) transactional producer: FindCoordinator(1), InitProducerId, AddPartitionsToTxn, EndTxn; kafkajs reads it committed', async () => {
    const produced = await kcat(tb.bootstrap, ['-P', '-t', 'tx', '-X', 'transactional.id=kcat-txn'], 'k1\nk2\nk3\n');
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('Transaction successfully committed');
    expect(await consume('tx', false, 3)).toEqual(['k1', 'k2', 'k3']);
    const batches = await kcat(tb.bootstrap, ['-C', '-t', 'tx', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n', '-X', 'isolation.level=read_committed']);
    // Offset 3 is the commit marker, which librdkafka does not deliver.
    expect(batches.stdout.trim().split('\n')).toEqual(['0 k1', '1 k2', '2 k3']);
  });

  it('kafkajs: sendOffsets commits the group offsets only when the transaction commits', async () => {
    const admin = kafka.admin();
    toDisconnect.push(admin);
    await admin.connect();
    const offsetsOf = async () => {
      const [topic] = await admin.fetchOffsets({ groupId: 'processor', topics: ['in'] });
      return topic!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset);
    };
    const producer = await transactional('offsets');
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'tx', messages: [{ value: 'out-1' }] });
    await aborted.sendOffsets({ consumerGroupId: 'processor', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '9' }] }] });
    await aborted.abort();
    expect(await offsetsOf()).toEqual(['-1', '-1']);
    const committed = await producer.transaction();
    await committed.send({ topic: 'tx', messages: [{ value: 'out-2' }] });
    await committed.sendOffsets({ consumerGroupId: 'processor', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '7' }] }] });
    expect(await offsetsOf()).toEqual(['-1', '-1']);
    await committed.commit();
    expect(await offsetsOf()).toEqual(['7', '-1']);
    expect(await consume('tx', false, 1)).toEqual(['out-2']);
  });

  it('kafkajs: a second producer with the same transactionalId fences the first', async () => {
    const first = await transactional('fenced-id');
    const zombie = await first.transaction();
    await zombie.send({ topic: 'tx', messages: [{ value: 'zombie-1' }] });
    const second = await transactional('fenced-id');
    // kafkajs sends InitProducerId for the transactional id when the first transaction begins.
    const txn = await second.transaction();
    // The first producer's open transaction was aborted; its next send and its commit fail.
    await expect(zombie.send({ topic: 'tx', messages: [{ value: 'zombie-2' }] })).rejects.toMatchObject({ type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/) });
    await expect(zombie.commit()).rejects.toMatchObject({ type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/) });
    await txn.send({ topic: 'tx', messages: [{ value: 'winner' }] });
    await txn.commit();
    expect(await consume('tx', false, 1)).toEqual(['winner']);
    expect(await consume('tx', true, 2)).toEqual(['zombie-1', 'winner']);
  });

  it('a producer SIGKILLed mid-transaction holds read_committed readers back until the coordinator aborts it at its timeout', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tb.bootstrap, 'doomed', 'tx', '4000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => line === 'sent' && resolve());
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before sending`)));
    });
    child.kill('SIGKILL');
    const producer = await transactional('survivor');
    const txn = await producer.transaction();
    await txn.send({ topic: 'tx', messages: [{ value: 'after-1' }, { value: 'after-2' }] });
    await txn.commit();

    // Held back: the committed records sit behind the open transaction (LSO = its first offset).
    const raw = await RawClient.connect(tb.port);
    try {
      const body = await raw.request(API_KEYS.Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'tx', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '',
      });
      const p = (body.responses as Obj[])[0]!.partitions[0] as Obj;
      expect(p.highWatermark).toBe(8); // 5 zombie records, 2 committed records, their marker
      expect(p.lastStableOffset).toBe(0);
      expect((p.records as Buffer).length).toBe(0);
    } finally {
      raw.close();
    }

    // Then the timeout aborts it; readers continue and never see its records.
    const values = await consume('tx', false, 2);
    expect(values).toEqual(['after-1', 'after-2']);
    expect(tb.logger.lines.some((l) => l.message.startsWith('Aborting transaction "doomed"'))).toBe(true);
    expect(await consume('tx', true, 7)).toEqual(['zombie-0', 'zombie-1', 'zombie-2', 'zombie-3', 'zombie-4', 'after-1', 'after-2']);
  });
});
