import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestLog, type TestLog } from './embedded-test-log.ts';
import type { EmbeddedLog } from '../../../../core/clients/embedded/embedded-log.ts';
import type { EmbeddedConsumer } from '../../../../core/clients/embedded/embedded-consumer.ts';
import { IllegalStateError } from '../../../../core/errors/log-errors.ts';
import { TributaryError } from '../../../../core/errors/tributary-error.ts';

/** Values read by the runtime's lower-level fetch of one partition, from offset 0. */
async function fetchValues(log: EmbeddedLog, topic: string, isolationLevel?: 'read_committed' | 'read_uncommitted') {
  const [p] = await log.fetch([{ topic, partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0, ...(isolationLevel ? { isolationLevel } : {}) });
  return { values: p!.records.map((r) => r.value!.toString()), nextOffset: p!.nextOffset, lastStableOffset: p!.lastStableOffset, highWatermark: p!.highWatermark };
}

/** A consumer in its own group collecting values of `topic` from the beginning. */
async function collect(log: EmbeddedLog, topic: string, readUncommitted = false): Promise<{ consumer: EmbeddedConsumer; values: string[] }> {
  const values: string[] = [];
  const consumer = log.consumer({ groupId: `g-${Math.random()}`, readUncommitted, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  return { consumer, values };
}

async function settle(ms = 150): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe('core/clients/embedded/embedded-transaction', () => {
  let t: TestLog;

  beforeEach(async () => {
    t = await openTestLog();
    const admin = t.log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'out', numPartitions: 1 }, { topic: 'in', numPartitions: 1 }] });
    await admin.disconnect();
  });

  afterEach(async () => {
    await t.cleanup();
  });

  it('a committed transaction becomes visible to read_committed readers at once, an aborted one never; offsets still advance past both', async () => {
    const producer = t.log.producer({ transactionalId: 'tx-1' });
    await producer.connect();
    const reader = await collect(t.log, 'out');

    const aborted = await producer.transaction();
    await aborted.send({ topic: 'out', messages: [{ value: 'a1' }, { value: 'a2' }] });
    expect((await fetchValues(t.log, 'out', 'read_committed')).values).toEqual([]);
    await aborted.abort();
    expect(aborted.isActive()).toBe(false);

    const committed = await producer.transaction();
    await committed.send({ topic: 'out', messages: [{ value: 'c1' }] });
    await committed.sendBatch({ topicMessages: [{ topic: 'out', messages: [{ value: 'c2' }] }] });
    expect((await fetchValues(t.log, 'out', 'read_committed')).values).toEqual([]);
    await committed.commit();

    const rc = await fetchValues(t.log, 'out', 'read_committed');
    expect(rc.values).toEqual(['c1', 'c2']);
    // 2 aborted records + abort marker + 2 committed records + commit marker
    expect(rc.nextOffset).toBe(6);
    expect(rc.lastStableOffset).toBe(6);
    await settle();
    expect(reader.values).toEqual(['c1', 'c2']);

    // read_uncommitted sees everything but the markers
    expect((await fetchValues(t.log, 'out')).values).toEqual(['a1', 'a2', 'c1', 'c2']);
    const dirty = await collect(t.log, 'out', true);
    await settle();
    expect(dirty.values).toEqual(['a1', 'a2', 'c1', 'c2']);
  });

  it('an open transaction holds back later records of other producers (last stable offset) until it ends', async () => {
    const txProducer = t.log.producer({ transactionalId: 'tx-lso' });
    await txProducer.connect();
    const plain = t.log.producer();
    await plain.connect();
    const reader = await collect(t.log, 'out');

    await plain.send({ topic: 'out', messages: [{ value: 'before' }] });
    const txn = await txProducer.transaction();
    await txn.send({ topic: 'out', messages: [{ value: 'tx' }] });
    await plain.send({ topic: 'out', messages: [{ value: 'after' }] });

    const held = await fetchValues(t.log, 'out', 'read_committed');
    expect(held.values).toEqual(['before']);
    expect(held.lastStableOffset).toBe(1);
    expect(held.highWatermark).toBe(3);
    await settle();
    expect(reader.values).toEqual(['before']);

    await txn.commit();
    await settle();
    expect(reader.values).toEqual(['before', 'tx', 'after']);
    expect((await fetchValues(t.log, 'out', 'read_committed')).values).toEqual(['before', 'tx', 'after']);
  });

  it('sendOffsets commits the group offsets only when the transaction commits', async () => {
    const producer = t.log.producer({ transactionalId: 'tx-offsets' });
    await producer.connect();
    const admin = t.log.admin();
    await admin.connect();
    const committedOffset = async () => (await admin.fetchOffsets({ groupId: 'app', topics: ['in'] }))[0]!.partitions[0]!.offset;

    const aborted = await producer.transaction();
    await aborted.send({ topic: 'out', messages: [{ value: 'x' }] });
    await aborted.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }] });
    expect(await committedOffset()).toBe('-1');
    await aborted.abort();
    expect(await committedOffset()).toBe('-1');

    const committed = await producer.transaction();
    await committed.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '7' }] }] });
    expect(await committedOffset()).toBe('-1');
    await committed.commit();
    expect(await committedOffset()).toBe('7');
    await admin.disconnect();
  });

  it('a second producer with the same transactionalId fences the first and aborts its open transaction', async () => {
    const first = t.log.producer({ transactionalId: 'tx-fence' });
    await first.connect();
    const txn = await first.transaction();
    await txn.send({ topic: 'out', messages: [{ value: 'zombie' }] });

    const second = t.log.producer({ transactionalId: 'tx-fence' });
    await second.connect();
    // The zombie's open transaction was aborted by the new producer's initProducerId.
    const after = await fetchValues(t.log, 'out', 'read_committed');
    expect(after.values).toEqual([]);
    expect(after.lastStableOffset).toBe(after.highWatermark);

    const fenced = await txn.send({ topic: 'out', messages: [{ value: 'zombie-2' }] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(fenced).toBeInstanceOf(TributaryError);
    await expect(txn.commit()).rejects.toBeInstanceOf(TributaryError);
    await expect(first.transaction()).rejects.toMatchObject({ code: expect.stringMatching(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/) });

    const ok = await second.transaction();
    await ok.send({ topic: 'out', messages: [{ value: 'new' }] });
    await ok.commit();
    expect((await fetchValues(t.log, 'out', 'read_committed')).values).toEqual(['new']);
  });

  it('one transaction at a time; a transactional producer sends only through its transaction; a plain producer has none', async () => {
    const producer = t.log.producer({ transactionalId: 'tx-state' });
    await producer.connect();
    await expect(producer.send({ topic: 'out', messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(IllegalStateError);
    const txn = await producer.transaction();
    await expect(producer.transaction()).rejects.toBeInstanceOf(IllegalStateError);
    await txn.commit(); // empty: ends without the coordinator
    await expect(txn.commit()).rejects.toBeInstanceOf(IllegalStateError);
    const next = await producer.transaction();
    await next.abort();

    const plain = t.log.producer();
    await plain.connect();
    await expect(plain.transaction()).rejects.toBeInstanceOf(IllegalStateError);
  });

  it('read_committed survives a reopen of the log: aborted records stay invisible, a transaction left open is aborted by the next producer with its id', async () => {
    const producer = t.log.producer({ transactionalId: 'tx-reopen' });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'out', messages: [{ value: 'gone' }] });
    await aborted.abort();
    const ok = await producer.transaction();
    await ok.send({ topic: 'out', messages: [{ value: 'kept' }] });
    await ok.commit();
    const open = await producer.transaction();
    await open.send({ topic: 'out', messages: [{ value: 'dangling' }] });
    await t.log.logManager.partition('out', 0).flush();

    const log = await t.reopen();
    expect((await fetchValues(log, 'out', 'read_committed')).values).toEqual(['kept']);
    const again = log.producer({ transactionalId: 'tx-reopen' });
    await again.connect();
    const rc = await fetchValues(log, 'out', 'read_committed');
    expect(rc.values).toEqual(['kept']);
    expect(rc.lastStableOffset).toBe(rc.highWatermark);
  });
});
