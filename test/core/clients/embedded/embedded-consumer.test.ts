import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, openTestLog, type TestLog } from './embedded-test-log.ts';
import type { EmbeddedProducer } from '../../../../core/clients/embedded/embedded-producer.ts';
import type { EmbeddedConsumer } from '../../../../core/clients/embedded/embedded-consumer.ts';
import type { ConsumerOptions, EachBatchPayload } from '../../../../core/clients/log-client.ts';
import { NoCommittedOffsetError } from '../../../../core/errors/group-errors.ts';
import { ClosedError, IllegalStateError } from '../../../../core/errors/log-errors.ts';

describe('core/clients/embedded/embedded-consumer', () => {
  let t: TestLog;
  let producer: EmbeddedProducer;
  const consumers: EmbeddedConsumer[] = [];

  beforeEach(async () => {
    t = await openTestLog();
    const admin = t.log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }, { topic: 'pair', numPartitions: 2 }] });
    await admin.disconnect();
    producer = t.log.producer();
    await producer.connect();
    consumers.length = 0;
  });

  afterEach(async () => {
    for (const c of consumers) await c.disconnect();
    await t.cleanup();
  });

  async function send(topic: string, values: string[], partition?: number): Promise<void> {
    await producer.send({ topic, messages: values.map((value) => ({ value, ...(partition === undefined ? {} : { partition }) })) });
  }

  async function consumer(options: Partial<ConsumerOptions> & { groupId: string }, topics: string[] = ['events'], fromBeginning = true) {
    const c = t.log.consumer({ maxWaitTimeInMs: 200, heartbeatInterval: 100, ...options });
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topics, fromBeginning });
    return c;
  }

  /** Runs eachMessage collecting `partition:offset:value`. */
  async function collect(c: EmbeddedConsumer, config: { autoCommit?: boolean } = {}): Promise<string[]> {
    const seen: string[] = [];
    await c.run({ ...config, eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}:${message.value}`) });
    return seen;
  }

  it('is woken by the append itself: a record produced while it waits (maxWaitTimeInMs 10000) arrives well under a second', async () => {
    const c = await consumer({ groupId: 'wake', maxWaitTimeInMs: 10_000 });
    let arrived = 0;
    await c.run({ eachMessage: async () => void (arrived = Date.now()) });
    await new Promise((r) => setTimeout(r, 100)); // the consumer is now parked waiting for data
    const sent = Date.now();
    await send('events', ['wake up']);
    await eventually(() => arrived > 0, 5000, 'the record to arrive');
    expect(arrived - sent).toBeLessThan(500);
  });

  it('starts at the log start with fromBeginning / earliest, at the end by default (latest)', async () => {
    await send('events', ['old-0', 'old-1']);
    const early = await collect(await consumer({ groupId: 'early' }));
    const late = await collect(await consumer({ groupId: 'late' }, ['events'], false));
    const explicit = await collect(await consumer({ groupId: 'explicit', autoOffsetReset: 'earliest' }, ['events'], false));
    await send('events', ['new-2']);
    await eventually(() => early.length === 3 && late.length === 1 && explicit.length === 3, 5000, 'deliveries');
    expect(early).toEqual(['0:0:old-0', '0:1:old-1', '0:2:new-2']);
    expect(late).toEqual(['0:2:new-2']);
    expect(explicit).toEqual(early);
  });

  it("fails run() with NoCommittedOffsetError under autoOffsetReset 'none' unless an offset is committed", async () => {
    await send('events', ['a', 'b', 'c']);
    const none = await consumer({ groupId: 'strict', autoOffsetReset: 'none' });
    const crashes: unknown[] = [];
    none.on('consumer.crash', (e) => crashes.push(e.payload.error));
    const failed = none.run({ eachMessage: async () => undefined });
    await expect(failed).rejects.toBeInstanceOf(NoCommittedOffsetError);
    await expect(failed).rejects.toThrow(/"strict".*events-0/);
    expect(crashes).toHaveLength(1);
    expect(t.log.coordinator.describeGroup('strict').members).toEqual([]); // it left the group

    const admin = t.log.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'strict', topic: 'events', partitions: [{ partition: 0, offset: '1' }] });
    const again = await consumer({ groupId: 'strict', autoOffsetReset: 'none' });
    const seen = await collect(again);
    await eventually(() => seen.length === 2, 5000, 'messages after the committed offset');
    expect(seen).toEqual(['0:1:b', '0:2:c']);
  });

  it('resets an out-of-range committed offset (records deleted) per autoOffsetReset', async () => {
    await send('events', ['0', '1', '2', '3', '4', '5', '6']);
    const admin = t.log.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'behind', topic: 'events', partitions: [{ partition: 0, offset: '2' }] });
    await admin.deleteTopicRecords({ topic: 'events', partitions: [{ partition: 0, offset: '5' }] });
    const seen = await collect(await consumer({ groupId: 'behind', autoOffsetReset: 'earliest' }));
    await eventually(() => seen.length === 2, 5000, 'messages from the new log start');
    expect(seen).toEqual(['0:5:5', '0:6:6']);
  });

  it('resets its position per autoOffsetReset when records it has not read yet are deleted while it runs', async () => {
    await send('events', ['0', '1', '2']);
    const c = await consumer({ groupId: 'overtaken', autoOffsetReset: 'earliest' });
    const seen = await collect(c);
    await eventually(() => seen.length === 3, 5000, 'first records');
    c.pause([{ topic: 'events' }]);
    await send('events', ['3', '4', '5', '6', '7']);
    const admin = t.log.admin();
    await admin.connect();
    await admin.deleteTopicRecords({ topic: 'events', partitions: [{ partition: 0, offset: '6' }] });
    c.resume([{ topic: 'events' }]);
    await eventually(() => seen.length === 5, 5000, 'records after the reset');
    expect(seen.slice(3)).toEqual(['0:6:6', '0:7:7']);
    expect(t.logger.lines.some((l) => l.message.includes('offset 3 of events-0 is out of range'))).toBe(true);
  });

  it('seeks to an offset, and to -2 (earliest), dropping the rest of the batch in flight', async () => {
    await send('events', ['a', 'b', 'c', 'd', 'e']);
    const c = await consumer({ groupId: 'seeker' });
    const seen: string[] = [];
    let seeked = 0;
    await c.run({
      eachMessage: async ({ message }) => {
        seen.push(`${message.offset}:${message.value}`);
        if (message.offset === '3' && seeked === 0) {
          seeked++;
          c.seek({ topic: 'events', partition: 0, offset: '1' });
        } else if (message.offset === '4' && seeked === 1) {
          seeked++;
          c.seek({ topic: 'events', partition: 0, offset: '-2' });
        }
      },
    });
    await eventually(() => seen.length === 13, 5000, 'seeks to replay');
    expect(seen).toEqual(['0:a', '1:b', '2:c', '3:d', '1:b', '2:c', '3:d', '4:e', '0:a', '1:b', '2:c', '3:d', '4:e']);
    expect(() => t.log.consumer({ groupId: 'x' }).seek({ topic: 'events', partition: 0, offset: '1' })).toThrow(IllegalStateError);
  });

  it('pauses and resumes partitions (consumer.pause, payload.pause) and reports paused()', async () => {
    const c = await consumer({ groupId: 'pauser' }, ['pair']);
    const seen: string[] = [];
    let resumeFromHandler: (() => void) | null = null;
    await c.run({
      eachMessage: async ({ partition, message, pause }) => {
        seen.push(`${partition}:${message.value}`);
        if (message.value?.toString() === 'p1-stop') resumeFromHandler = pause();
      },
    });
    c.pause([{ topic: 'pair', partitions: [0] }]);
    expect(c.paused()).toEqual([{ topic: 'pair', partitions: [0] }]);
    await send('pair', ['p0-a'], 0);
    await send('pair', ['p1-a', 'p1-stop', 'p1-after'], 1);
    await eventually(() => seen.includes('1:p1-stop'), 5000, 'partition 1 to pause itself');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(['1:p1-a', '1:p1-stop']);
    expect(c.paused()).toEqual([{ topic: 'pair', partitions: [0, 1] }]);
    c.resume([{ topic: 'pair', partitions: [0] }]);
    await eventually(() => seen.includes('0:p0-a'), 5000, 'partition 0 after resume');
    resumeFromHandler!();
    await eventually(() => seen.includes('1:p1-after'), 5000, 'partition 1 after resume');
    expect(c.paused()).toEqual([]);
    c.pause([{ topic: 'pair' }]);
    expect(c.paused()).toEqual([{ topic: 'pair', partitions: [0, 1] }]);
  });

  it('hands eachBatch whole batches with kafkajs helpers; unresolved offsets are delivered again', async () => {
    await send('events', ['a', 'b', 'c', 'd']);
    const c = await consumer({ groupId: 'batches' });
    const calls: { first: string | null; last: string; lag: string; lagLow: string; hw: string; n: number }[] = [];
    let payloads = 0;
    await c.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale, uncommittedOffsets }: EachBatchPayload) => {
        payloads++;
        calls.push({ first: batch.firstOffset(), last: batch.lastOffset(), lag: batch.offsetLag(), lagLow: batch.offsetLagLow(), hw: batch.highWatermark, n: batch.messages.length });
        expect(isRunning()).toBe(true);
        expect(isStale()).toBe(false);
        if (payloads === 1) {
          resolveOffset(batch.messages[1]!.offset); // a and b processed, c and d come back
          expect(uncommittedOffsets()).toEqual({ topics: [{ topic: 'events', partitions: [{ partition: 0, offset: '2' }] }] });
        } else {
          resolveOffset(batch.lastOffset());
        }
      },
    });
    await eventually(() => payloads === 2, 5000, 'second batch');
    expect(calls).toEqual([
      { first: '0', last: '3', lag: '0', lagLow: '3', hw: '4', n: 4 },
      { first: '2', last: '3', lag: '0', lagLow: '1', hw: '4', n: 2 },
    ]);
    await eventually(() => t.log.coordinator.fetchOffsets({ groupId: 'batches' })[0]?.offset === 4, 5000, 'commit of 4');
  });

  it('consumes partitions concurrently with partitionsConsumedConcurrently', async () => {
    await send('pair', ['zero'], 0);
    await send('pair', ['one'], 1);
    const c = await consumer({ groupId: 'concurrent' }, ['pair']);
    let releaseZero: () => void = () => undefined;
    const oneStarted = new Promise<void>((r) => (releaseZero = r));
    const order: string[] = [];
    await c.run({
      partitionsConsumedConcurrently: 2,
      eachMessage: async ({ partition }) => {
        order.push(`start-${partition}`);
        if (partition === 0) await oneStarted; // would never resolve if partitions ran one after the other
        else releaseZero();
        order.push(`end-${partition}`);
      },
    });
    await eventually(() => order.length === 4, 5000, 'both partitions');
    expect(order.indexOf('start-1')).toBeLessThan(order.indexOf('end-0'));
  });

  it('commits offsets with metadata that survive reopening the log', async () => {
    await send('events', ['a', 'b', 'c']);
    const c = await consumer({ groupId: 'keeper' });
    await collect(c, { autoCommit: false });
    await c.commitOffsets([{ topic: 'events', partition: 0, offset: '2', metadata: 'checkpoint-7' }]);
    await c.disconnect();
    const log = await t.reopen();
    const admin = log.admin();
    await admin.connect();
    expect(await admin.fetchOffsets({ groupId: 'keeper', topics: ['events'] })).toEqual([
      { topic: 'events', partitions: [{ partition: 0, offset: '2', metadata: 'checkpoint-7' }] },
    ]);
    consumers.length = 0;
    const again = log.consumer({ groupId: 'keeper', maxWaitTimeInMs: 200 });
    consumers.push(again);
    await again.connect();
    await again.subscribe({ topic: 'events' });
    const seen = await collect(again);
    await eventually(() => seen.length === 1, 5000, 'resume after the committed offset');
    expect(seen).toEqual(['0:2:c']);
  });

  it('reports a throwing handler as consumer.crash after committing what was processed', async () => {
    await send('events', ['ok-0', 'ok-1', 'boom', 'never']);
    const c = await consumer({ groupId: 'crashy' });
    const crashes: { error: Error; groupId: string }[] = [];
    c.on('consumer.crash', (e) => crashes.push(e.payload));
    await c.run({
      eachMessage: async ({ message }) => {
        if (message.value?.toString() === 'boom') throw new Error('handler failed');
      },
    });
    await eventually(() => crashes.length === 1, 5000, 'crash');
    expect(crashes[0]!.error.message).toBe('handler failed');
    expect(crashes[0]!.groupId).toBe('crashy');
    expect(t.log.coordinator.fetchOffsets({ groupId: 'crashy' })).toEqual([{ topic: 'events', partition: 0, offset: 2, metadata: null }]);
    await eventually(() => t.log.coordinator.describeGroup('crashy').members.length === 0, 5000, 'crashed member to leave');
  });

  it('commits inside a batch once autoCommitThreshold messages are processed', async () => {
    await send('events', ['a', 'b', 'c', 'd', 'e']);
    const c = await consumer({ groupId: 'threshold' });
    const committedAt: number[] = [];
    await c.run({
      autoCommitThreshold: 2,
      eachMessage: async () => {
        committedAt.push(t.log.coordinator.fetchOffsets({ groupId: 'threshold' })[0]?.offset ?? -1);
      },
    });
    await eventually(() => committedAt.length === 5, 5000, 'all messages');
    // What was committed when each message arrived: a commit after every second message, mid-batch.
    expect(committedAt).toEqual([-1, -1, 2, 2, 4]);
  });

  it('uses the assignors it is given, by name or as objects', async () => {
    const sticky = await consumer({ groupId: 'sticky', partitionAssigners: ['sticky'] }, ['pair']);
    await collect(sticky);
    expect((await sticky.describeGroup()).protocol).toBe('sticky');
    const { RangeAssignor } = await import('../../../../core/log/assignors/range-assignor.ts');
    const ranged = await consumer({ groupId: 'ranged', partitionAssigners: [new RangeAssignor()] }, ['pair']);
    await collect(ranged);
    expect((await ranged.describeGroup()).protocol).toBe('range');
    expect(() => t.log.consumer({ groupId: 'bad', partitionAssigners: ['fastest' as never] })).toThrow(/Unknown assignor "fastest"/);
    expect(() => t.log.consumer({ groupId: '' })).toThrow(/groupId/);
    expect(() => t.log.consumer({ groupId: 'g', sessionTimeout: -1 })).toThrow(/sessionTimeout/);
  });

  it('rejoins on metadata changes: added partitions, a new topic matching its pattern, a deleted topic', async () => {
    const c = t.log.consumer({ groupId: 'watcher', maxWaitTimeInMs: 100, heartbeatInterval: 50 });
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topics: [/^watched-/], fromBeginning: true });
    const admin = t.log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'watched-a', numPartitions: 1 }] });
    const crashes: unknown[] = [];
    c.on('consumer.crash', (e) => crashes.push(e.payload.error));
    const seen = await collect(c);
    await admin.createTopics({ topics: [{ topic: 'watched-b', numPartitions: 1 }] });
    await send('watched-b', ['b0'], 0);
    await eventually(() => seen.includes('0:0:b0'), 5000, 'a topic created after the join picked up');
    await admin.createPartitions({ topicPartitions: [{ topic: 'watched-a', count: 2 }] });
    await send('watched-a', ['a1'], 1);
    await eventually(() => seen.includes('1:0:a1'), 5000, 'new partition picked up');
    await admin.deleteTopics({ topics: ['watched-b'] });
    await send('watched-a', ['after delete'], 0);
    await eventually(() => seen.includes('0:0:after delete'), 5000, 'still consuming after a topic was deleted');
    expect(crashes).toEqual([]);
    const description = await c.describeGroup();
    expect(description.state).toBe('Stable');
  });

  it('subscribes to topics by RegExp', async () => {
    await send('pair', ['x'], 1);
    const c = t.log.consumer({ groupId: 'pattern', maxWaitTimeInMs: 200 });
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topics: [/^pa/], fromBeginning: true });
    const seen = await collect(c);
    await eventually(() => seen.length === 1, 5000, 'pattern subscription');
    expect(seen).toEqual(['1:0:x']);
  });

  it('refuses calls in the wrong state and after disconnect', async () => {
    const c = await consumer({ groupId: 'states' });
    await collect(c);
    await expect(c.run({ eachMessage: async () => undefined })).rejects.toBeInstanceOf(IllegalStateError);
    await expect(c.subscribe({ topics: ['pair'] })).rejects.toBeInstanceOf(IllegalStateError);
    await c.disconnect();
    await expect(c.subscribe({ topics: ['pair'] })).rejects.toBeInstanceOf(ClosedError);
    await expect(c.run({ eachMessage: async () => undefined })).rejects.toBeInstanceOf(ClosedError);
    await expect(c.commitOffsets([])).rejects.toBeInstanceOf(ClosedError);
    await expect(c.connect()).rejects.toBeInstanceOf(ClosedError);
  });
});
