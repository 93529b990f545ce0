import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openTestLog, type TestLog } from './embedded-test-log.ts';
import { EmbeddedLog } from '../../../../core/clients/embedded/embedded-log.ts';
import { ClosedError, OffsetOutOfRangeError, StorageError, UnknownTopicOrPartitionError } from '../../../../core/errors/log-errors.ts';

describe('core/clients/embedded/embedded-log', () => {
  let t: TestLog;

  beforeEach(async () => {
    t = await openTestLog();
    const admin = t.log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 3 }] });
  });

  afterEach(async () => {
    await t.cleanup();
  });

  async function send(partition: number, values: string[]): Promise<void> {
    const producer = t.log.producer();
    await producer.connect();
    await producer.send({ topic: 'in', messages: values.map((value) => ({ value, partition })) });
    await producer.disconnect();
  }

  describe('fetch', () => {
    it('reads several partitions at once, records from the requested offset, errors per partition', async () => {
      await send(0, ['a', 'b', 'c']);
      await send(1, ['x']);
      const fetched = await t.log.fetch(
        [
          { topic: 'in', partition: 0, offset: 1, maxBytes: 1 << 20 },
          { topic: 'in', partition: 1, offset: 0, maxBytes: 1 << 20 },
          { topic: 'in', partition: 2, offset: 0, maxBytes: 1 << 20 },
          { topic: 'in', partition: 1, offset: 5, maxBytes: 1 << 20 },
          { topic: 'gone', partition: 0, offset: 0, maxBytes: 1 << 20 },
        ],
        { maxWaitMs: 10_000 },
      );
      expect(fetched.map((f) => f.records.map((r) => `${r.offset}:${r.value}`))).toEqual([['1:b', '2:c'], ['0:x'], [], [], []]);
      expect(fetched.map((f) => [f.highWatermark, f.logStartOffset, f.nextOffset])).toEqual([
        [3, 0, 3],
        [1, 0, 1],
        [0, 0, 0],
        [1, 0, 5],
        [-1, -1, 0],
      ]);
      expect(fetched[3]!.error).toBeInstanceOf(OffsetOutOfRangeError);
      expect(fetched[4]!.error).toBeInstanceOf(UnknownTopicOrPartitionError);
      expect(fetched.slice(0, 3).every((f) => f.error === undefined)).toBe(true);
    });

    it('waits for data and is woken by the append, not by a timer', async () => {
      const started = Date.now();
      const pending = t.log.fetch(
        [
          { topic: 'in', partition: 0, offset: 0, maxBytes: 1 << 20 },
          { topic: 'in', partition: 2, offset: 0, maxBytes: 1 << 20 },
        ],
        { maxWaitMs: 10_000 },
      );
      await new Promise((r) => setTimeout(r, 50));
      await send(2, ['late']);
      const fetched = await pending;
      expect(Date.now() - started).toBeLessThan(1000);
      expect(fetched[1]!.records.map((r) => r.value!.toString())).toEqual(['late']);
      expect(fetched[0]!.records).toEqual([]);
    });

    it('returns empty results after maxWaitMs when nothing arrives, and honours minBytes', async () => {
      const empty = await t.log.fetch([{ topic: 'in', partition: 0, offset: 0, maxBytes: 100 }], { maxWaitMs: 30 });
      expect(empty[0]!.records).toEqual([]);
      await send(0, ['small']);
      const pending = t.log.fetch([{ topic: 'in', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 10_000, minBytes: 300 });
      let done = false;
      void pending.then(() => (done = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(false); // one small batch is below minBytes
      await send(0, ['x'.repeat(400)]);
      const fetched = await pending;
      expect(fetched[0]!.records.map((r) => r.offset)).toEqual([0, 1]);
    });
  });

  describe('close', () => {
    it('disconnects every client it handed out, then refuses new ones; the directory can be reopened', async () => {
      const producer = t.log.producer({ lingerMs: 60_000 });
      await producer.connect();
      const lingering = producer.send({ topic: 'in', messages: [{ value: 'flushed on close', partition: 0 }] });
      const consumer = t.log.consumer({ groupId: 'closing', maxWaitTimeInMs: 10_000, heartbeatInterval: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['in'], fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      const admin = t.log.admin();
      await admin.connect();

      await t.log.close();
      await expect(lingering).resolves.toHaveLength(1);
      await expect(producer.send({ topic: 'in', messages: [{ value: 'v' }] })).rejects.toBeInstanceOf(ClosedError);
      await expect(consumer.describeGroup()).rejects.toBeInstanceOf(ClosedError);
      await expect(admin.listTopics()).rejects.toBeInstanceOf(ClosedError);
      expect(() => t.log.producer()).toThrow(ClosedError);
      expect(() => t.log.consumer({ groupId: 'g' })).toThrow(ClosedError);
      expect(() => t.log.admin()).toThrow(ClosedError);
      await expect(t.log.fetch([], { maxWaitMs: 0 })).rejects.toBeInstanceOf(ClosedError);
      await t.log.close(); // idempotent

      const reopened = await t.reopen();
      expect(reopened.logManager.partition('in', 0).highWatermark).toBe(1);
      // Consumers close first (committing their positions), so the record flushed by the producer's close
      // was never delivered.
      expect(seen).toEqual([]);
      const offsets = reopened.coordinator.fetchOffsets({ groupId: 'closing' });
      expect(offsets.map((o) => [o.partition, o.offset]).sort()).toEqual([[0, 0], [1, 0], [2, 0]]);
    });

    it('keeps the process alive while a client is connected (a script ending in consumer.run keeps consuming)', () => {
      const entry = pathToFileURL(resolve('core/clients/embedded/embedded-log.ts')).href;
      const script = join(t.dir, 'keep-alive.mts');
      writeFileSync(
        script,
        [
          `import { EmbeddedLog } from ${JSON.stringify(entry)};`,
          `const log = await EmbeddedLog.open({ dir: ${JSON.stringify(join(t.dir, 'child'))} });`,
          `const consumer = log.consumer({ groupId: 'child', maxWaitTimeInMs: 60000 });`,
          `await consumer.connect();`,
          `await consumer.subscribe({ topics: ['late'], fromBeginning: true });`,
          `await consumer.run({ eachMessage: async ({ message }) => {`,
          `  console.log('received ' + message.value);`,
          `  setImmediate(() => log.close());`,
          `} });`,
          `const producer = log.producer();`,
          `await producer.connect();`,
          `setTimeout(() => void producer.send({ topic: 'late', messages: [{ value: 'after 300 ms' }] }), 300).unref();`,
        ].join('\n'),
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
      expect(child.stderr).toBe('');
      expect(child.stdout).toBe('received after 300 ms\n');
      expect(child.status).toBe(0);
    });

    it('locks the directory while open', async () => {
      await expect(EmbeddedLog.open({ dir: t.dir, logger: t.logger })).rejects.toBeInstanceOf(StorageError);
    });
  });
});
