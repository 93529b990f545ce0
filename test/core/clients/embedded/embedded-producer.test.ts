import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestLog, type TestLog } from './embedded-test-log.ts';
import { partitionForKey } from '../../../../core/clients/partitioner.ts';
import { CompressionTypes } from '../../../../core/clients/log-client.ts';
import { encodeRecordBatch, forEachBatch, decodeRecords } from '../../../../core/log/record-batch.ts';
import { ManualClock } from '../../../../core/time/clock.ts';
import {
  ClosedError,
  IllegalStateError,
  InvalidArgumentError,
  OutOfOrderSequenceError,
  StorageError,
  UnknownTopicOrPartitionError,
} from '../../../../core/errors/log-errors.ts';
import type { EmbeddedLog } from '../../../../core/clients/embedded/embedded-log.ts';

/** Every batch header and record of a partition, read straight from the log. */
function readPartition(log: EmbeddedLog, topic: string, partition: number) {
  const p = log.logManager.partition(topic, partition);
  const { records } = p.read(p.logStartOffset, 1 << 24);
  const batches: { compression: string; recordCount: number; producerId: number; baseSequence: number }[] = [];
  const decoded: ReturnType<typeof decodeRecords> = [];
  forEachBatch(records, (position, header) => {
    batches.push({ compression: header.compression, recordCount: header.recordCount, producerId: header.producerId, baseSequence: header.baseSequence });
    decoded.push(...decodeRecords(records, position));
  });
  return { batches, records: decoded };
}

describe('core/clients/embedded/embedded-producer', () => {
  let t: TestLog;

  beforeEach(async () => {
    t = await openTestLog();
    const admin = t.log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'six', numPartitions: 6 }, { topic: 'one', numPartitions: 1 }] });
    await admin.disconnect();
  });

  afterEach(async () => {
    await t.cleanup();
  });

  it('puts keyed messages in the partition of partitionForKey (murmur2, as Kafka)', async () => {
    const producer = t.log.producer();
    await producer.connect();
    const keys = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    const meta = await producer.send({ topic: 'six', messages: keys.map((key) => ({ key, value: `v-${key}` })) });
    const seen = new Map<string, number>();
    for (let p = 0; p < 6; p++) {
      for (const r of readPartition(t.log, 'six', p).records) seen.set(r.key!.toString(), p);
    }
    expect(seen.size).toBe(60);
    for (const key of keys) expect(seen.get(key)).toBe(partitionForKey(Buffer.from(key), 6));
    expect(meta.map((m) => m.partition)).toEqual([...new Set(seen.values())].sort((a, b) => a - b));
    for (const m of meta) expect(m).toMatchObject({ topicName: 'six', errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' });
  });

  it('keeps a send of null-key messages in one batch and moves the sticky partition between sends', async () => {
    const producer = t.log.producer();
    await producer.connect();
    const first = await producer.send({ topic: 'six', messages: Array.from({ length: 10 }, (_, i) => ({ value: `a${i}` })) });
    expect(first).toHaveLength(1);
    expect(readPartition(t.log, 'six', first[0]!.partition).batches).toEqual([
      expect.objectContaining({ recordCount: 10 }),
    ]);
    const used = new Set<number>([first[0]!.partition]);
    let previous = first[0]!.partition;
    for (let i = 0; i < 30; i++) {
      const [m] = await producer.send({ topic: 'six', messages: [{ key: null, value: `b${i}` }] });
      expect(m!.partition).not.toBe(previous); // a closed batch moves the sticky partition
      previous = m!.partition;
      used.add(m!.partition);
    }
    expect(used.size).toBeGreaterThan(2);
  });

  it('coalesces two concurrent sends within lingerMs into one batch', async () => {
    const clock = new ManualClock(1_000_000);
    await t.cleanup();
    t = await openTestLog({ clock });
    const producer = t.log.producer({ lingerMs: 20 });
    await producer.connect();
    const a = producer.send({ topic: 'linger', messages: [{ key: 'k', value: 'first' }, { key: 'k', value: 'second' }] });
    const b = producer.send({ topic: 'linger', messages: [{ key: 'k', value: 'third' }] });
    for (let i = 0; i < 20 && t.log.logManager.describeTopic('linger') === undefined; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(t.log.logManager.partition('linger', 0).logEndOffset).toBe(0); // still lingering
    clock.advance(20);
    const [[ma], [mb]] = await Promise.all([a, b]);
    expect(ma!.baseOffset).toBe('0');
    expect(mb!.baseOffset).toBe('2');
    const { batches, records } = readPartition(t.log, 'linger', 0);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.recordCount).toBe(3);
    expect(records.map((r) => r.value!.toString())).toEqual(['first', 'second', 'third']);
  });

  it('splits a send into several batches when it exceeds batchSize', async () => {
    const producer = t.log.producer({ batchSize: 1000 });
    await producer.connect();
    const [m] = await producer.send({ topic: 'one', messages: Array.from({ length: 30 }, () => ({ value: Buffer.alloc(100, 1) })) });
    expect(m!.baseOffset).toBe('0');
    const { batches, records } = readPartition(t.log, 'one', 0);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('round-trips headers, timestamps and null values through a consumer', async () => {
    const producer = t.log.producer();
    await producer.connect();
    await producer.send({
      topic: 'one',
      messages: [
        { key: 'k1', value: null, timestamp: '1234', headers: { trace: 'abc', bin: Buffer.from([1, 2]), multi: ['x', 'y'] } },
        { key: Buffer.from([0xff]), value: 'v2', timestamp: '5678' },
      ],
    });
    const consumer = t.log.consumer({ groupId: 'rt', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['one'], fromBeginning: true });
    const got: { key: Buffer | null; value: Buffer | null; timestamp: string; offset: string; headers: unknown }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push({ key: message.key, value: message.value, timestamp: message.timestamp, offset: message.offset, headers: message.headers });
          if (got.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(got[0]).toEqual({
      key: Buffer.from('k1'),
      value: null,
      timestamp: '1234',
      offset: '0',
      headers: { trace: Buffer.from('abc'), bin: Buffer.from([1, 2]), multi: [Buffer.from('x'), Buffer.from('y')] },
    });
    expect(got[1]).toEqual({ key: Buffer.from([0xff]), value: Buffer.from('v2'), timestamp: '5678', offset: '1', headers: {} });
  });

  it('acknowledges an idempotent retry of the same batch with its original offsets, without appending twice', async () => {
    const producer = t.log.producer({ idempotent: true });
    await producer.connect();
    expect(producer.isIdempotent()).toBe(true);
    expect(producer.producerId).toBeGreaterThanOrEqual(0);
    await producer.send({ topic: 'one', messages: [{ value: 'a' }, { value: 'b' }] });
    const [second] = await producer.send({ topic: 'one', messages: [{ value: 'c' }, { value: 'd' }, { value: 'e' }] });
    expect(second!.baseOffset).toBe('2');
    const bytes = producer.lastBatch('one', 0)!;
    const retried = await producer.appendBatch('one', 0, Buffer.from(bytes));
    expect(retried.baseOffset).toBe('2');
    expect(t.log.logManager.partition('one', 0).logEndOffset).toBe(5);
    const { batches } = readPartition(t.log, 'one', 0);
    expect(batches.map((b) => [b.producerId, b.baseSequence, b.recordCount])).toEqual([
      [producer.producerId, 0, 2],
      [producer.producerId, 2, 3],
    ]);
    // The producer's own sequence went on from 5: the next send is accepted.
    const [third] = await producer.send({ topic: 'one', messages: [{ value: 'f' }] });
    expect(third!.baseOffset).toBe('5');
  });

  it('retries a retriable append failure with the same batch: an append whose acknowledgement was lost is not duplicated', async () => {
    const producer = t.log.producer({ idempotent: true, retry: { initialRetryTime: 1, retries: 3 } });
    await producer.connect();
    await producer.send({ topic: 'one', messages: [{ value: 'first' }] });
    const log = t.log.logManager.partition('one', 0);
    const original = log.append.bind(log);
    let attempts = 0;
    log.append = async (batch: Buffer) => {
      attempts++;
      const result = await original(batch);
      if (attempts === 1) throw new StorageError('acknowledgement lost', { retriable: true });
      return result;
    };
    const [meta] = await producer.send({ topic: 'one', messages: [{ value: 'second' }, { value: 'third' }] });
    expect(attempts).toBe(2);
    expect(meta!.baseOffset).toBe('1');
    expect(log.logEndOffset).toBe(3);
    expect(readPartition(t.log, 'one', 0).records.map((r) => r.value!.toString())).toEqual(['first', 'second', 'third']);
    expect(t.logger.lines.some((l) => l.level === 'warn' && l.message.includes('Retrying append to one-0'))).toBe(true);
  });

  it('rejects a batch whose sequence skips ahead with OutOfOrderSequenceError', async () => {
    const producer = t.log.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'one', messages: [{ value: 'a' }, { value: 'b' }] });
    const gap = encodeRecordBatch([{ key: null, value: Buffer.from('z'), timestamp: 1 }], {
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      baseSequence: 5,
    });
    await expect(producer.appendBatch('one', 0, gap)).rejects.toBeInstanceOf(OutOfOrderSequenceError);
    expect(t.log.logManager.partition('one', 0).logEndOffset).toBe(2);
  });

  it('compresses with gzip (kafkajs code or name) and reads back the same messages', async () => {
    const producer = t.log.producer();
    await producer.connect();
    const values = Array.from({ length: 50 }, (_, i) => `value-${i}-${'x'.repeat(50)}`);
    await producer.send({ topic: 'one', compression: CompressionTypes.GZIP, messages: values.map((value) => ({ value })) });
    const named = t.log.producer({ compression: 'gzip' });
    await named.connect();
    await named.send({ topic: 'one', messages: [{ value: 'last' }] });
    const { batches, records } = readPartition(t.log, 'one', 0);
    expect(batches.map((b) => b.compression)).toEqual(['gzip', 'gzip']);
    expect(records.map((r) => r.value!.toString())).toEqual([...values, 'last']);
    const [fetched] = await t.log.fetch([{ topic: 'one', partition: 0, offset: 10, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
    expect(fetched!.records[0]!.offset).toBe(10);
    expect(fetched!.records.map((r) => r.value!.toString())).toEqual([...values.slice(10), 'last']);
  });

  it('honours a custom partitioner and an explicit partition', async () => {
    const calls: { topic: string; partitions: number }[] = [];
    const producer = t.log.producer({
      createPartitioner: () => ({ topic, partitionMetadata }) => {
        calls.push({ topic, partitions: partitionMetadata.length });
        return 4;
      },
    });
    await producer.connect();
    const meta = await producer.send({ topic: 'six', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2', partition: 1 }] });
    expect(meta.map((m) => m.partition)).toEqual([1, 4]);
    expect(calls).toEqual([{ topic: 'six', partitions: 6 }]);
  });

  it('validates messages, topics and partitions with typed errors naming them', async () => {
    const producer = t.log.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await expect(producer.send({ topic: 'six', messages: [{ key: 'k' } as never] })).rejects.toThrow(
      new InvalidArgumentError('Invalid message 0 to topic "six": a message needs a value (null for a tombstone)'),
    );
    const unknown = producer.send({ topic: 'missing', messages: [{ value: 'v' }] });
    await expect(unknown).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
    await expect(unknown).rejects.toThrow('missing');
    const badPartition = producer.send({ topic: 'six', messages: [{ value: 'v', partition: 6 }] });
    await expect(badPartition).rejects.toThrow(new UnknownTopicOrPartitionError('six', 6));
    await expect(producer.send({ topic: 'six', messages: [{ value: 'v', timestamp: 'soon' }] })).rejects.toBeInstanceOf(InvalidArgumentError);
    // Nothing of a rejected send was appended.
    for (let p = 0; p < 6; p++) expect(t.log.logManager.partition('six', p).logEndOffset).toBe(0);
  });

  it('creates an unknown topic with one partition when auto-creation is on (the default)', async () => {
    const producer = t.log.producer();
    await producer.connect();
    const [m] = await producer.sendBatch({ topicMessages: [{ topic: 'auto', messages: [{ value: 'v' }] }, { topic: 'one', messages: [{ value: 'w' }] }] });
    expect(m).toMatchObject({ topicName: 'auto', partition: 0, baseOffset: '0' });
    expect(t.log.logManager.describeTopic('auto')?.numPartitions).toBe(1);
  });

  it('refuses to send before connect and after disconnect', async () => {
    const producer = t.log.producer();
    await expect(producer.send({ topic: 'one', messages: [{ value: 'v' }] })).rejects.toBeInstanceOf(IllegalStateError);
    await producer.connect();
    const pending = producer.send({ topic: 'one', messages: [{ value: 'v' }] });
    await producer.disconnect();
    await expect(pending).resolves.toHaveLength(1); // disconnect flushed it
    await expect(producer.send({ topic: 'one', messages: [{ value: 'v' }] })).rejects.toBeInstanceOf(ClosedError);
    await expect(producer.connect()).rejects.toBeInstanceOf(ClosedError);
  });
});
