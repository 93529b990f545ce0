import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/time/clock.ts';
import { LogCleaner } from '../../../core/log/log-cleaner.ts';
import { forEachBatch } from '../../../core/log/record-batch.ts';
import type { PartitionLog } from '../../../core/log/partition-log.ts';
import type { TopicConfig } from '../../../core/log/log-contracts.ts';
import { batchOf, decodeAll, makeTempDir, openLog, readAllRecords, removeDir, type TestRecord } from './storage-test-helpers.ts';

const kv = (key: string, value: string | null, timestamp = 1_000): TestRecord => ({ key, value, timestamp });

describe('core/log/log-cleaner', () => {
  let root: string;
  let dir: string;
  let log: PartitionLog | null = null;
  let clock: ManualClock;
  beforeEach(() => {
    root = makeTempDir('cleaner');
    dir = path.join(root, 'c-0');
    clock = new ManualClock(100_000);
  });
  afterEach(async () => {
    if (log?.isOpen) await log.close();
    removeDir(root);
  });

  const compact = (overrides: Partial<TopicConfig> = {}): Partial<TopicConfig> => ({
    cleanupPolicy: 'compact',
    segmentBytes: 1,
    deleteRetentionMs: 1_000,
    ...overrides,
  });

  /** One batch per segment: [k1=a, k2=b] [k1=c, k3=d] [k2=tombstone, k4=e] [k5=f] (active). */
  async function scenario(overrides: Partial<TopicConfig> = {}): Promise<PartitionLog> {
    const l = await openLog(dir, compact(overrides), { clock });
    await l.append(batchOf([kv('k1', 'a'), kv('k2', 'b')]));
    await l.append(batchOf([kv('k1', 'c'), kv('k3', 'd')]));
    await l.append(batchOf([kv('k2', null), kv('k4', 'e')]));
    await l.append(batchOf([kv('k5', 'f')]));
    expect(l.segments.map((s) => s.baseOffset)).toEqual([0, 2, 4, 6]);
    return l;
  }

  const offsets = (l: PartitionLog): number[] => readAllRecords(l).map((r) => r.offset);

  it('keeps the latest record per key with its original offset, and never touches the active segment', async () => {
    log = await scenario();
    const before = log.segments[0]!.size;
    const reclaimed = await new LogCleaner(clock).clean(log);
    expect(reclaimed).toBe(before);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 2, 4, 6]);
    expect(log.segments[0]!.size).toBe(0);
    expect(offsets(log)).toEqual([2, 3, 4, 5, 6]);
    expect(readAllRecords(log).map((r) => [r.key, r.value])).toEqual([
      ['k1', 'c'],
      ['k3', 'd'],
      ['k2', null],
      ['k4', 'e'],
      ['k5', 'f'],
    ]);
    expect(await new LogCleaner(clock).clean(log)).toBe(0);
  });

  it('reading a compacted-away offset returns the next surviving batch', async () => {
    log = await scenario();
    await new LogCleaner(clock).clean(log);
    const records = decodeAll(log.read(0, 1).records);
    expect(records.map((r) => r.offset)).toEqual([2, 3]);
    expect(log.logStartOffset).toBe(0);
  });

  it('drops tombstones only once delete.retention.ms has passed since the segment was first cleaned', async () => {
    log = await scenario();
    const cleaner = new LogCleaner(clock);
    await cleaner.clean(log);
    clock.advance(999);
    await cleaner.clean(log);
    expect(offsets(log)).toEqual([2, 3, 4, 5, 6]);
    clock.advance(1);
    expect(await cleaner.clean(log)).toBeGreaterThan(0);
    expect(offsets(log)).toEqual([2, 3, 5, 6]);
    await log.close();
    log = await openLog(dir, compact(), { clock });
    expect(log.recoveryReport.rebuiltIndexes).toEqual([]);
    expect(offsets(log)).toEqual([2, 3, 5, 6]);
  });

  it('rewrites a partially surviving batch with explicit offsets, its compression and producer fields', async () => {
    log = await openLog(dir, compact(), { clock });
    await log.append(batchOf([kv('a', '1'), kv('b', '2'), kv('c', '3'), kv('d', '4')], { compression: 'gzip', producerId: 9, producerEpoch: 2, baseSequence: 0 }));
    await log.append(batchOf([kv('a', '5'), kv('c', '6')]));
    await log.append(batchOf([kv('z', 'active')]));
    await new LogCleaner(clock).clean(log);
    expect(offsets(log)).toEqual([1, 3, 4, 5, 6]);
    const bytes = log.read(0, 1).records;
    const headers: { base: number; last: number; compression: string; pid: number; epoch: number; seq: number }[] = [];
    forEachBatch(bytes, (_p, h) =>
      headers.push({ base: h.baseOffset, last: h.lastOffset, compression: h.compression, pid: h.producerId, epoch: h.producerEpoch, seq: h.baseSequence }),
    );
    expect(headers).toEqual([{ base: 1, last: 3, compression: 'gzip', pid: 9, epoch: 2, seq: 1 }]);
    expect(decodeAll(bytes).map((r) => [r.offset, r.key!.toString(), r.value!.toString()])).toEqual([
      [1, 'b', '2'],
      [3, 'd', '4'],
    ]);
  });

  it('respects min.compaction.lag.ms: segments with records younger than the lag are neither cleaned nor counted', async () => {
    log = await openLog(dir, compact({ minCompactionLagMs: 5_000 }), { clock });
    await log.append(batchOf([kv('k1', 'a', 90_000), kv('k2', 'b', 90_000)]));
    await log.append(batchOf([kv('k1', 'c', 91_000)]));
    await log.append(batchOf([kv('k2', 'd', 99_000)]));
    await log.append(batchOf([kv('k9', 'active', 99_500)]));
    await new LogCleaner(clock).clean(log);
    expect(offsets(log)).toEqual([1, 2, 3, 4]);
    clock.advance(4_000); // now 104000: the k2=d segment is now 5000 ms old
    await new LogCleaner(clock).clean(log);
    expect(offsets(log)).toEqual([2, 3, 4]);
  });

  it('does nothing on delete-only topics', async () => {
    log = await scenario({ cleanupPolicy: 'delete' });
    expect(await new LogCleaner(clock).clean(log)).toBe(0);
    expect(offsets(log)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a crash that left a .cleaned file reopens to the complete original segment', async () => {
    log = await scenario();
    const all = readAllRecords(log);
    const seg = log.segments[0]!;
    await log.close();
    fs.writeFileSync(seg.logFile + '.cleaned', Buffer.alloc(37, 7));
    fs.writeFileSync(seg.indexFile + '.cleaned', Buffer.alloc(8));
    log = await openLog(dir, compact(), { clock });
    expect(fs.readdirSync(dir).filter((n) => n.includes('.cleaned'))).toEqual([]);
    expect(readAllRecords(log)).toEqual(all);
  });

  for (const oldGone of [false, true]) {
    it(`a crash that left .swap files (old segment ${oldGone ? 'already deleted' : 'still there'}) reopens to the compacted segment`, async () => {
      log = await scenario();
      await log.close();
      const copy = path.join(root, 'copy-0');
      fs.cpSync(dir, copy, { recursive: true });
      log = await openLog(dir, compact(), { clock });
      await new LogCleaner(clock).clean(log);
      const seg = log.segments[0]!;
      const compacted = readAllRecords(log);
      await log.close();
      for (const file of [seg.logFile, seg.indexFile, seg.timeIndexFile]) {
        fs.copyFileSync(file, path.join(copy, path.basename(file) + '.swap'));
      }
      if (oldGone) fs.unlinkSync(path.join(copy, path.basename(seg.logFile)));
      const crashed = await openLog(copy, compact(), { clock });
      expect(fs.readdirSync(copy).filter((n) => n.includes('.swap'))).toEqual([]);
      expect(readAllRecords(crashed)).toEqual(compacted);
      expect(readAllRecords(crashed).map((r) => r.offset)).toEqual([2, 3, 4, 5, 6]);
      await crashed.close();
    });
  }
});
