import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidRecordError } from '../../../core/errors/log-errors.ts';
import { LogManager } from '../../../core/log/log-manager.ts';
import {
  OffsetStore,
  decodeOffsetKey,
  decodeOffsetValue,
  encodeOffsetKey,
  encodeOffsetValue,
  offsetsPartitionFor,
} from '../../../core/log/offset-store.ts';
import { decodeRecords } from '../../../core/log/record-batch.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../../../core/log/topic-name.ts';
import { ManualClock } from '../../../core/time/clock.ts';

const silent = { warn: () => undefined, info: () => undefined };

describe('core/log/offset-store', () => {
  let dir: string;
  let clock: ManualClock;
  let logs: LogManager;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-offsets-'));
    clock = new ManualClock(1_700_000_000_000);
    logs = await LogManager.open({ dir, clock, logger: silent });
  });
  afterEach(async () => {
    await logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function reopen(): Promise<void> {
    await logs.close();
    logs = await LogManager.open({ dir, clock, logger: silent });
  }

  it('maps groups to partitions with Java\'s String.hashCode, as Kafka does', () => {
    expect(offsetsPartitionFor('', 50)).toBe(0);
    expect(offsetsPartitionFor('a', 50)).toBe(97 % 50);
    expect(offsetsPartitionFor('ab', 50)).toBe(3105 % 50);
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE, whose Utils.abs is 0.
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    // Java: "hello".hashCode() == 99162322, "Hello World".hashCode() == -862545276.
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
    expect(offsetsPartitionFor('Hello World', 50)).toBe(862545276 % 50);
    expect(offsetsPartitionFor('Hello World', 1)).toBe(0);
  });

  it('encodes keys and values in Kafka\'s OffsetCommitKey v1 / OffsetCommitValue v3 layout', () => {
    expect(encodeOffsetKey('g', 't', 2)).toEqual(Buffer.from('0001' + '000167' + '000174' + '00000002', 'hex'));
    const value = encodeOffsetValue(5_000_000_000, -1, 'm', 1_700_000_000_000);
    expect(value.toString('hex')).toBe(
      '0003' + '000000012a05f200' + 'ffffffff' + '00016d' + (1_700_000_000_000).toString(16).padStart(16, '0'),
    );
    expect(decodeOffsetKey(encodeOffsetKey('grp', 'topic', 7), 'here')).toEqual({ group: 'grp', topic: 'topic', partition: 7 });
    expect(decodeOffsetValue(value, 'here')).toEqual({
      offset: 5_000_000_000,
      leaderEpoch: -1,
      metadata: 'm',
      commitTimestamp: 1_700_000_000_000,
    });
    expect(decodeOffsetValue(encodeOffsetValue(0, 3, null, 1), 'here').metadata).toBeNull();
    // Kafka's group metadata records (key version 2) are skipped, not misread.
    expect(decodeOffsetKey(Buffer.from('00020001670000', 'hex'), 'here')).toBeNull();
    expect(() => decodeOffsetKey(Buffer.from('0001ff', 'hex'), 'p-0 offset 9')).toThrow(InvalidRecordError);
    expect(() => decodeOffsetValue(Buffer.from('0009', 'hex'), 'p-0 offset 9')).toThrow(/p-0 offset 9/);
  });

  it('commits into an internal compacted topic created on first use', async () => {
    const store = new OffsetStore({ logManager: logs, clock, offsetsTopicPartitions: 3 });
    await store.load();
    expect(logs.describeTopic(CONSUMER_OFFSETS_TOPIC)).toBeUndefined();
    await store.commit('g', [
      { topic: 't', partition: 0, offset: 10, metadata: 'first' },
      { topic: 't', partition: 1, offset: 20 },
    ]);
    const topic = logs.describeTopic(CONSUMER_OFFSETS_TOPIC)!;
    expect(topic.internal).toBe(true);
    expect(topic.numPartitions).toBe(3);
    expect(topic.config.cleanupPolicy).toBe('compact');
    expect(store.get('g', 't', 0)).toEqual({
      topic: 't',
      partition: 0,
      offset: 10,
      metadata: 'first',
      commitTimestamp: clock.now(),
      leaderEpoch: -1,
    });
    expect(store.get('g', 't', 1)?.metadata).toBeNull();
    expect(store.get('g', 't', 2)).toBeUndefined();
    // One batch in the group's partition.
    const log = logs.partition(CONSUMER_OFFSETS_TOPIC, store.partitionFor('g'));
    expect(log.logEndOffset).toBe(2);
    const records = decodeRecords(log.read(0, 1 << 20).records, 0);
    expect(decodeOffsetKey(records[1]!.key!, 'test')).toEqual({ group: 'g', topic: 't', partition: 1 });
  });

  it('reloads every partition of the topic after reopen, tombstones included', async () => {
    let store = new OffsetStore({ logManager: logs, clock, offsetsTopicPartitions: 3 });
    await store.load();
    const groups = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    for (const [i, g] of groups.entries()) {
      await store.commit(g, [{ topic: 'orders', partition: i, offset: 100 + i, metadata: g }]);
      clock.advance(1000);
      await store.commit(g, [{ topic: 'orders', partition: i, offset: 200 + i }]);
    }
    expect(new Set(groups.map((g) => store.partitionFor(g))).size).toBeGreaterThan(1);
    await store.commit('beta', [{ topic: 'other', partition: 0, offset: 1 }]);
    expect(await store.delete('beta', [{ topic: 'orders', partition: 1 }])).toBe(1);
    expect(await store.delete('gamma')).toBe(1);
    expect(await store.delete('nobody')).toBe(0);
    const before = groups.map((g) => store.offsetsOf(g));

    await reopen();
    store = new OffsetStore({ logManager: logs, clock });
    await store.load();
    expect(groups.map((g) => store.offsetsOf(g))).toEqual(before);
    expect(store.get('alpha', 'orders', 0)?.offset).toBe(200);
    expect(store.get('beta', 'orders', 1)).toBeUndefined();
    expect(store.offsetsOf('beta').map((o) => o.topic)).toEqual(['other']);
    expect(store.offsetsOf('gamma')).toEqual([]);
    expect(store.groupIds().sort()).toEqual(['alpha', 'beta', 'delta', 'epsilon']);
    // The existing topic's partition count wins over the option.
    expect(store.partitionFor('alpha')).toBe(offsetsPartitionFor('alpha', 3));
  });

  it('applies concurrent commits of one group in call order', async () => {
    const store = new OffsetStore({ logManager: logs, clock });
    await store.load();
    await Promise.all([1, 2, 3, 4, 5].map((offset) => store.commit('g', [{ topic: 't', partition: 0, offset }])));
    expect(store.get('g', 't', 0)?.offset).toBe(5);
    await reopen();
    const reloaded = new OffsetStore({ logManager: logs, clock });
    await reloaded.load();
    expect(reloaded.get('g', 't', 0)?.offset).toBe(5);
  });

  it('validates commits', async () => {
    const store = new OffsetStore({ logManager: logs, clock });
    await store.load();
    await expect(store.commit('g', [{ topic: '', partition: 0, offset: 1 }])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.commit('g', [{ topic: 't', partition: -1, offset: 1 }])).rejects.toThrow(/partition -1/);
    await expect(store.commit('g', [{ topic: 't', partition: 0, offset: 1.5 }])).rejects.toThrow(/offset 1.5/);
    await expect(
      store.commit('g', [{ topic: 't', partition: 0, offset: 1, metadata: 'x'.repeat(4097) }]),
    ).rejects.toThrow(/4097 bytes/);
    expect(() => new OffsetStore({ logManager: logs, clock, offsetsTopicPartitions: 0 })).toThrow(InvalidArgumentError);
    expect(logs.describeTopic(CONSUMER_OFFSETS_TOPIC)).toBeUndefined();
  });
});
