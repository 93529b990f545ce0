/**
 * Transactions on the kafkajs backend against the broker: KafkajsLogClient producers with a
 * transactionalId (commit, abort, sendOffsets, fencing), consumers at both isolation levels, and the
 * partition reader (KafkajsLogClient.fetch) used by restores, read_committed and read_uncommitted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KafkajsLogClient } from '../../../../core/clients/kafkajs/kafkajs-log-client.ts';
import type { Producer } from '../../../../core/clients/log-client.ts';
import { TributaryError } from '../../../../core/errors/tributary-error.ts';
import { changelogFetcherFor } from '../../../../core/runtime/store-changelog-reader.ts';
import { startTestBroker, type TestBroker } from '../../../fixtures/broker-harness.ts';

let broker: TestBroker;
let client: KafkajsLogClient;
const producers: Producer[] = [];

beforeEach(async () => {
  broker = await startTestBroker();
  client = new KafkajsLogClient({ brokers: [broker.bootstrap], clientId: 'kafkajs-txn-test', logLevel: 'nothing' });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'out', numPartitions: 1 }, { topic: 'in', numPartitions: 1 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await Promise.allSettled(producers.splice(0).map((p) => p.disconnect()));
  await client.close();
  await broker.cleanup();
});

async function transactional(transactionalId: string): Promise<Producer> {
  const producer = client.producer({ transactionalId });
  producers.push(producer);
  await producer.connect();
  return producer;
}

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function consume(readUncommitted: boolean | undefined, expected: number): Promise<string[]> {
  const consumer = client.consumer({ groupId: `reader-${String(readUncommitted)}`, ...(readUncommitted === undefined ? {} : { readUncommitted }), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: ['out'], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= expected);
    await new Promise((r) => setTimeout(r, 300));
    return values;
  } finally {
    await consumer.disconnect();
  }
}

const values = (records: readonly { value: Buffer | null }[]) => records.map((r) => r.value!.toString());

describe('core/clients/kafkajs transactions (KafkajsLogClient on the broker)', () => {
  it('commit and abort through producer.transaction(); consumers read_committed by default, readUncommitted sees aborted records', async () => {
    const producer = await transactional('kjs-commit');
    const committed = await producer.transaction();
    await committed.send({ topic: 'out', messages: [{ value: 'c1' }, { value: 'c2' }] });
    expect(committed.isActive()).toBe(true);
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'out', messages: [{ value: 'x1' }] });
    await aborted.abort();
    expect(await consume(undefined, 2)).toEqual(['c1', 'c2']);
    expect(await consume(true, 3)).toEqual(['c1', 'c2', 'x1']);
  });

  it('sendOffsets commits the group offsets with the transaction only', async () => {
    const producer = await transactional('kjs-offsets');
    const admin = client.admin();
    await admin.connect();
    try {
      const offsets = async () => (await admin.fetchOffsets({ groupId: 'app', topics: ['in'] }))[0]!.partitions[0]!.offset;
      const aborted = await producer.transaction();
      await aborted.send({ topic: 'out', messages: [{ value: 'a' }] });
      await aborted.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '3' }] }] });
      await aborted.abort();
      expect(await offsets()).toBe('-1');
      const committed = await producer.transaction();
      await committed.send({ topic: 'out', messages: [{ value: 'b' }] });
      await committed.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '4' }] }] });
      await committed.commit();
      expect(await offsets()).toBe('4');
    } finally {
      await admin.disconnect();
    }
  });

  it('a second producer with the same transactionalId fences the first: its sends fail with a TributaryError', async () => {
    const first = await transactional('kjs-fenced');
    const zombie = await first.transaction();
    await zombie.send({ topic: 'out', messages: [{ value: 'z' }] });
    const second = await transactional('kjs-fenced');
    const winner = await second.transaction();
    const failure = await zombie.send({ topic: 'out', messages: [{ value: 'z2' }] }).then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(TributaryError);
    expect(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']).toContain((failure as TributaryError).code);
    await winner.send({ topic: 'out', messages: [{ value: 'w' }] });
    await winner.commit();
    expect(await consume(undefined, 1)).toEqual(['w']);
  });

  it('fetch read_committed stops at the last stable offset and drops aborted records; read_uncommitted returns them', async () => {
    const producer = await transactional('kjs-reader');
    const t1 = await producer.transaction();
    await t1.send({ topic: 'out', messages: [{ value: 'keep-1' }] });
    await t1.commit(); // offsets 0, marker 1
    const t2 = await producer.transaction();
    await t2.send({ topic: 'out', messages: [{ value: 'drop-1' }, { value: 'drop-2' }] });
    await t2.abort(); // offsets 2-3, marker 4
    const t3 = await producer.transaction();
    await t3.send({ topic: 'out', messages: [{ value: 'open-1' }] }); // offset 5, still open

    const request = [{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 20 }];
    const [committed] = await client.fetch(request, { maxWaitMs: 0, isolationLevel: 'read_committed' });
    expect(committed!.error).toBeUndefined();
    expect(values(committed!.records)).toEqual(['keep-1']);
    expect(committed!.records.map((r) => r.offset)).toEqual([0]);
    expect(committed!).toMatchObject({ highWatermark: 6, lastStableOffset: 5, nextOffset: 5 });
    const [uncommitted] = await client.fetch(request, { maxWaitMs: 0 });
    expect(values(uncommitted!.records)).toEqual(['keep-1', 'drop-1', 'drop-2', 'open-1']);
    expect(uncommitted!).toMatchObject({ highWatermark: 6, lastStableOffset: 5, nextOffset: 6 });
    // Restores read_committed end at the last stable offset.
    const fetcher = changelogFetcherFor(client, true);
    expect((await fetcher.fetch('out', 0, 0, 1 << 20)).highWatermark).toBe(5);
    // Reading from inside the aborted transaction still drops its records.
    const [inside] = await client.fetch([{ topic: 'out', partition: 0, offset: 3, maxBytes: 1 << 20 }], { maxWaitMs: 0, isolationLevel: 'read_committed' });
    expect(values(inside!.records)).toEqual([]);
    expect(inside!.nextOffset).toBe(5);

    await t3.commit(); // marker 6
    const [after] = await client.fetch([{ topic: 'out', partition: 0, offset: 5, maxBytes: 1 << 20 }], { maxWaitMs: 0, isolationLevel: 'read_committed' });
    expect(values(after!.records)).toEqual(['open-1']);
    expect(after!).toMatchObject({ highWatermark: 7, lastStableOffset: 7, nextOffset: 7 });
  });

  it('paging read_committed through interleaved transactions of three producers returns exactly the committed records, in order', async () => {
    const ids = ['p0', 'p1', 'p2'];
    const producers = await Promise.all(ids.map((id) => transactional(`kjs-mix-${id}`)));
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const open = new Map<number, { txn: Awaited<ReturnType<Producer['transaction']>>; values: string[] }>();
    const committed = new Set<string>();
    let n = 0;
    for (let step = 0; step < 60; step++) {
      const i = Math.floor(random() * producers.length);
      let current = open.get(i);
      if (current === undefined) {
        current = { txn: await producers[i]!.transaction(), values: [] };
        open.set(i, current);
      }
      const values = Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${ids[i]}-${n++}`);
      await current.txn.send({ topic: 'out', messages: values.map((value) => ({ value })) });
      current.values.push(...values);
      if (random() < 0.4) {
        if (random() < 0.5) {
          await current.txn.commit();
          for (const v of current.values) committed.add(v);
        } else {
          await current.txn.abort();
        }
        open.delete(i);
      }
    }
    for (const current of open.values()) {
      await current.txn.commit();
      for (const v of current.values) committed.add(v);
    }
    // Every offset order of committed values as written; read back in small pages.
    const fetcher = changelogFetcherFor(client, true);
    const read: string[] = [];
    let offset = 0;
    let end = Infinity;
    while (offset < end) {
      const batch = await fetcher.fetch('out', 0, offset, 200);
      end = batch.highWatermark;
      for (const r of batch.records) read.push(r.value!.toString());
      expect(batch.nextOffset).toBeGreaterThan(offset);
      offset = batch.nextOffset;
    }
    expect(read.length).toBe(committed.size);
    expect(new Set(read)).toEqual(committed);
    const [all] = await client.fetch([{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0, isolationLevel: 'read_committed' });
    expect(values(all!.records)).toEqual(read);
    expect(await consume(undefined, committed.size)).toEqual(read);
  });
});
