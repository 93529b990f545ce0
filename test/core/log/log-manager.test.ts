import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ClosedError,
  InvalidConfigError,
  InvalidPartitionsError,
  InvalidTopicError,
  StorageError,
  TopicAlreadyExistsError,
  UnknownTopicOrPartitionError,
} from '../../../core/errors/log-errors.ts';
import { LOCK_FILE } from '../../../core/log/directory-lock.ts';
import { LogManager, PRODUCER_ID_BLOCK_SIZE, type LogManagerOptions } from '../../../core/log/log-manager.ts';
import { decodeRecords, encodeRecordBatch } from '../../../core/log/record-batch.ts';
import { DEFAULT_TOPIC_CONFIG } from '../../../core/log/topic-config.ts';
import { ManualClock } from '../../../core/time/clock.ts';

const silent = { warn: () => undefined, info: () => undefined };

describe('core/log/log-manager', () => {
  let dir: string;
  let clock: ManualClock;
  const open: LogManager[] = [];

  async function openManager(extra: Partial<LogManagerOptions> = {}): Promise<LogManager> {
    const manager = await LogManager.open({ dir, clock, logger: silent, ...extra });
    open.push(manager);
    return manager;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-logmanager-'));
    clock = new ManualClock(1_700_000_000_000);
  });
  afterEach(async () => {
    for (const m of open.splice(0)) await m.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, describes and lists topics, with partition directories on disk', async () => {
    const logs = await openManager();
    const created = await logs.createTopic('orders', { numPartitions: 3, configs: { 'retention.ms': '1000' } });
    await logs.createTopic('alpha', { numPartitions: 1 });
    expect(created.name).toBe('orders');
    expect(created.numPartitions).toBe(3);
    expect(created.internal).toBe(false);
    expect(created.topicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.config).toEqual({ ...DEFAULT_TOPIC_CONFIG, retentionMs: 1000 });
    expect(logs.describeTopic('orders')).toEqual(created);
    expect(logs.describeTopic('nope')).toBeUndefined();
    expect(logs.listTopics().map((t) => t.name)).toEqual(['alpha', 'orders']);
    for (const p of [0, 1, 2]) expect(fs.statSync(path.join(dir, `orders-${p}`)).isDirectory()).toBe(true);
    expect(logs.partition('orders', 2).partition).toBe(2);
    expect(() => logs.partition('orders', 3)).toThrow(UnknownTopicOrPartitionError);
    expect(() => logs.partition('nope', 0)).toThrow(UnknownTopicOrPartitionError);
    expect(logs.recoveryReports).toHaveLength(4);
    expect(logs.describeTopicConfig('orders').find((e) => e.name === 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '1000',
      isDefault: false,
    });
  });

  it('refuses bad topics: existing, invalid or colliding names, bad partition counts and configs', async () => {
    const logs = await openManager();
    await logs.createTopic('metrics.cpu', { numPartitions: 1 });
    await expect(logs.createTopic('metrics.cpu', { numPartitions: 1 })).rejects.toBeInstanceOf(TopicAlreadyExistsError);
    await expect(logs.createTopic('metrics_cpu', { numPartitions: 1 })).rejects.toThrow(/collides with existing topic "metrics.cpu"/);
    await expect(logs.createTopic('a/b', { numPartitions: 1 })).rejects.toBeInstanceOf(InvalidTopicError);
    await expect(logs.createTopic('zero', { numPartitions: 0 })).rejects.toBeInstanceOf(InvalidPartitionsError);
    await expect(logs.createTopic('frac', { numPartitions: 1.5 })).rejects.toBeInstanceOf(InvalidPartitionsError);
    await expect(logs.createTopic('conf', { numPartitions: 1, configs: { 'segment.bytes': '3' } })).rejects.toThrow(
      /segment\.bytes/,
    );
    await expect(logs.createTopic('conf', { numPartitions: 1, configs: { 'bogus.key': '3' } })).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
    expect(logs.listTopics().map((t) => t.name)).toEqual(['metrics.cpu']);
    expect(fs.existsSync(path.join(dir, 'conf-0'))).toBe(false);
  });

  it('keeps topics, ids, partition counts, configs and records across reopen', async () => {
    let logs = await openManager({ defaultTopicConfig: { 'retention.ms': '5000' } });
    const orders = await logs.createTopic('orders', { numPartitions: 2, configs: { 'cleanup.policy': 'compact' } });
    const internal = await logs.createTopic('__internal', { numPartitions: 1, internal: true });
    expect(orders.config.retentionMs).toBe(5000);
    const batch = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: clock.now() }]);
    await logs.partition('orders', 1).append(batch);
    await logs.close();

    logs = await openManager({ defaultTopicConfig: { 'retention.ms': '6000' } });
    const reopened = logs.describeTopic('orders')!;
    expect(reopened.topicId).toBe(orders.topicId);
    expect(reopened.numPartitions).toBe(2);
    expect(reopened.config.cleanupPolicy).toBe('compact');
    // Broker defaults are not frozen into the topic: only overrides are persisted.
    expect(reopened.config.retentionMs).toBe(6000);
    expect(logs.describeTopic('__internal')).toEqual({ ...internal, config: { ...internal.config, retentionMs: 6000 } });
    const log = logs.partition('orders', 1);
    expect(log.logEndOffset).toBe(1);
    const { records } = log.read(0, 1 << 20);
    expect(decodeRecords(records, 0)[0]!.value).toEqual(Buffer.from('v1'));
  });

  it('deletes topics: directories gone, forgotten after reopen, unknown names refused', async () => {
    let logs = await openManager();
    await logs.createTopic('doomed', { numPartitions: 2 });
    await logs.createTopic('kept', { numPartitions: 1 });
    const doomed = logs.partition('doomed', 0);
    await logs.deleteTopic('doomed');
    expect(fs.existsSync(path.join(dir, 'doomed-0'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'doomed-1'))).toBe(false);
    expect(logs.describeTopic('doomed')).toBeUndefined();
    expect(() => logs.partition('doomed', 0)).toThrow(UnknownTopicOrPartitionError);
    await expect(doomed.append(encodeRecordBatch([{ key: null, value: null, timestamp: 1 }]))).rejects.toThrow();
    await expect(logs.deleteTopic('doomed')).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
    await logs.close();
    logs = await openManager();
    expect(logs.listTopics().map((t) => t.name)).toEqual(['kept']);
    // The name is free again and starts empty.
    await logs.createTopic('doomed', { numPartitions: 1 });
    expect(logs.partition('doomed', 0).logEndOffset).toBe(0);
  });

  it('grows topics with createPartitions, persisted across reopen', async () => {
    let logs = await openManager();
    await logs.createTopic('t', { numPartitions: 1 });
    await logs.createPartitions('t', 4);
    expect(logs.describeTopic('t')!.numPartitions).toBe(4);
    expect(fs.existsSync(path.join(dir, 't-3'))).toBe(true);
    await expect(logs.createPartitions('t', 4)).rejects.toBeInstanceOf(InvalidPartitionsError);
    await expect(logs.createPartitions('t', 2)).rejects.toThrow(/has 4 partitions/);
    await expect(logs.createPartitions('nope', 2)).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
    await logs.close();
    logs = await openManager();
    expect(logs.describeTopic('t')!.numPartitions).toBe(4);
    expect(logs.partition('t', 3).partition).toBe(3);
  });

  it('alters configs: applied to every partition, removable, persisted, validated', async () => {
    let logs = await openManager();
    await logs.createTopic('t', { numPartitions: 2, configs: { 'retention.ms': '1000' } });
    await logs.alterTopicConfig('t', { 'max.message.bytes': '2048', 'retention.ms': null });
    expect(logs.describeTopic('t')!.config.maxMessageBytes).toBe(2048);
    expect(logs.describeTopic('t')!.config.retentionMs).toBe(DEFAULT_TOPIC_CONFIG.retentionMs);
    for (const p of [0, 1]) expect(logs.partition('t', p).config.maxMessageBytes).toBe(2048);
    await expect(logs.alterTopicConfig('t', { 'max.message.bytes': 'big' })).rejects.toThrow(/"big" for configuration max\.message\.bytes/);
    await expect(logs.alterTopicConfig('t', { 'no.such': '1' })).rejects.toThrow(/no\.such/);
    await expect(logs.alterTopicConfig('nope', {})).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
    expect(logs.describeTopic('t')!.config.maxMessageBytes).toBe(2048);
    await logs.close();
    logs = await openManager();
    expect(logs.describeTopic('t')!.config.maxMessageBytes).toBe(2048);
    expect(logs.partition('t', 1).config.maxMessageBytes).toBe(2048);
    expect(logs.describeTopic('t')!.config.retentionMs).toBe(DEFAULT_TOPIC_CONFIG.retentionMs);
  });

  it('locks the directory: a second open fails naming dir and pid; close releases', async () => {
    const logs = await openManager();
    await expect(LogManager.open({ dir, clock, logger: silent })).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof StorageError && e.message.includes(dir) && e.message.includes(String(process.pid)),
    );
    await logs.close();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    await openManager();
  });

  it('refuses use after close', async () => {
    const logs = await openManager();
    await logs.createTopic('t', { numPartitions: 1 });
    await logs.close();
    expect(() => logs.partition('t', 0)).toThrow(ClosedError);
    expect(() => logs.allocateProducerId()).toThrow(ClosedError);
    await expect(logs.createTopic('u', { numPartitions: 1 })).rejects.toBeInstanceOf(ClosedError);
  });

  it('hands out increasing producer ids that never repeat across reopen or a crash', async () => {
    const first = await openManager();
    const a = [first.allocateProducerId(), first.allocateProducerId(), first.allocateProducerId()];
    expect(a).toEqual([0, 1, 2]);
    await first.close();

    const second = await openManager();
    const b = second.allocateProducerId();
    expect(b).toBeGreaterThan(2);
    for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE + 5; i++) second.allocateProducerId();
    const lastBeforeCrash = second.allocateProducerId();
    // Crash: the process never closes; its lock is left with a pid that no longer runs.
    fs.writeFileSync(path.join(dir, LOCK_FILE), '2147483646\n');
    const third = await LogManager.open({ dir, clock, logger: silent });
    const c = third.allocateProducerId();
    expect(c).toBeGreaterThan(lastBeforeCrash);
    open.splice(open.indexOf(second), 1);
    await second.close();
    await third.close();
  });

  it('removes a leftover directory before creating a partition of that name', async () => {
    fs.mkdirSync(path.join(dir, 'ghost-0'));
    fs.writeFileSync(path.join(dir, 'ghost-0', 'junk'), 'x');
    const warnings: string[] = [];
    const logs = await openManager({ logger: { warn: (m: string) => warnings.push(m), info: () => undefined } });
    expect(warnings.join('\n')).toContain('ghost-0');
    expect(fs.existsSync(path.join(dir, 'ghost-0', 'junk'))).toBe(true);
    await logs.createTopic('ghost', { numPartitions: 1 });
    expect(fs.existsSync(path.join(dir, 'ghost-0', 'junk'))).toBe(false);
  });

  it('serializes concurrent creates of one name: exactly one wins', async () => {
    const logs = await openManager();
    const results = await Promise.allSettled([
      logs.createTopic('race', { numPartitions: 2 }),
      logs.createTopic('race', { numPartitions: 2 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([
      expect.any(TopicAlreadyExistsError),
    ]);
  });

  describe('maintenance', () => {
    async function fill(logs: LogManager, topic: string, partition: number, keys: string[]): Promise<void> {
      for (const key of keys) {
        const batch = encodeRecordBatch([{ key: Buffer.from(key), value: Buffer.from(`v-${key}`), timestamp: clock.now() }]);
        await logs.partition(topic, partition).append(batch);
      }
    }

    it('runMaintenance applies retention to delete topics only', async () => {
      const logs = await openManager();
      const small = { 'segment.bytes': '100', 'retention.ms': '1000' };
      await logs.createTopic('events', { numPartitions: 1, configs: small });
      await logs.createTopic('table', { numPartitions: 1, configs: { ...small, 'cleanup.policy': 'compact' } });
      await fill(logs, 'events', 0, ['a', 'b', 'c', 'd']);
      await fill(logs, 'table', 0, ['a', 'b', 'c', 'd']);
      clock.advance(5000);
      await logs.runMaintenance();
      expect(logs.partition('events', 0).logStartOffset).toBe(3);
      expect(logs.partition('table', 0).logStartOffset).toBe(0);
    });

    it('runMaintenance compacts compact topics', async () => {
      const logs = await openManager();
      await logs.createTopic('table', { numPartitions: 1, configs: { 'segment.bytes': '100', 'cleanup.policy': 'compact' } });
      await fill(logs, 'table', 0, ['k', 'k', 'k', 'other', 'k']);
      const before = logs.partition('table', 0).sizeInBytes;
      await logs.runMaintenance();
      const log = logs.partition('table', 0);
      expect(log.sizeInBytes).toBeLessThan(before);
      const offsets: number[] = [];
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset) {
        const { records } = log.read(offset, 1 << 20);
        let pos = 0;
        while (pos < records.length) {
          const recs = decodeRecords(records, pos);
          for (const r of recs) if (r.offset >= offset) offsets.push(r.offset);
          pos += 12 + records.readInt32BE(pos + 8);
        }
        offset = offsets[offsets.length - 1]! + 1;
      }
      // Offsets 0-1 held older values of "k"; 2 is the newest "k" below the active segment (which the
      // cleaner never reads), 3 is "other", 4 is in the active segment.
      expect(offsets).toEqual([2, 3, 4]);
    });

    it('runs retention in the background on the clock and keeps going', async () => {
      const logs = await openManager({ retentionCheckIntervalMs: 1000, cleanerIntervalMs: 1_000_000 });
      await logs.createTopic('events', { numPartitions: 1, configs: { 'segment.bytes': '100', 'retention.ms': '500' } });
      await fill(logs, 'events', 0, ['a', 'b']);
      clock.advance(1000);
      await vi.waitFor(() => expect(logs.partition('events', 0).logStartOffset).toBe(1));
      await fill(logs, 'events', 0, ['c', 'd']);
      clock.advance(1000);
      await vi.waitFor(() => expect(logs.partition('events', 0).logStartOffset).toBe(3));
    });

    it('logs a failing partition and still maintains the others', async () => {
      const warnings: string[] = [];
      const logs = await openManager({ logger: { warn: (m: string) => warnings.push(m), info: () => undefined } });
      await logs.createTopic('events', { numPartitions: 2, configs: { 'segment.bytes': '100', 'retention.ms': '1000' } });
      await fill(logs, 'events', 0, ['a', 'b']);
      await fill(logs, 'events', 1, ['a', 'b']);
      await logs.partition('events', 0).close();
      clock.advance(5000);
      await expect(logs.runMaintenance()).rejects.toBeInstanceOf(ClosedError);
      expect(warnings.some((w) => w.includes('events-0'))).toBe(true);
      expect(logs.partition('events', 1).logStartOffset).toBe(1);
    });
  });
});
