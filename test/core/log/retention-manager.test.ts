import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/time/clock.ts';
import { RetentionManager } from '../../../core/log/retention-manager.ts';
import type { PartitionLog } from '../../../core/log/partition-log.ts';
import type { TopicConfig } from '../../../core/log/log-contracts.ts';
import { batchOf, makeTempDir, openLog, readAllRecords, removeDir } from './storage-test-helpers.ts';

describe('core/log/retention-manager', () => {
  let root: string;
  let log: PartitionLog | null = null;
  let clock: ManualClock;
  beforeEach(() => {
    root = makeTempDir('retention');
    clock = new ManualClock(10_000);
  });
  afterEach(async () => {
    if (log?.isOpen) await log.close();
    removeDir(root);
  });

  /** Five segments of two records each (bases 0, 2, 4, 6, 8), newest timestamps 1000..5000; base 8 is active. */
  async function fiveSegments(overrides: Partial<TopicConfig>): Promise<PartitionLog> {
    const l = await openLog(path.join(root, 't-0'), { segmentBytes: 1, ...overrides }, { clock });
    for (let i = 0; i < 5; i++) {
      await l.append(batchOf([{ value: `a${i}`, timestamp: 1_000 * i + 500 }, { value: `b${i}`, timestamp: 1_000 * (i + 1) }]));
    }
    expect(l.segments.map((s) => s.baseOffset)).toEqual([0, 2, 4, 6, 8]);
    return l;
  }

  it('deletes closed segments whose newest record is older than retention.ms and moves the log start offset', async () => {
    log = await fiveSegments({ retentionMs: 2_500 });
    clock.advance(-4_000); // now = 6000
    expect(await new RetentionManager(clock).run(log)).toBe(3);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([6, 8]);
    expect(log.logStartOffset).toBe(6);
    expect(readAllRecords(log).map((r) => r.value)).toEqual(['a3', 'b3', 'a4', 'b4']);
    expect(fs.readdirSync(log.dir).filter((n) => n.endsWith('.log'))).toEqual(['00000000000000000006.log', '00000000000000000008.log']);
    await log.close();
    log = await openLog(path.join(root, 't-0'), { segmentBytes: 1 }, { clock });
    expect(log.logStartOffset).toBe(6);
  });

  it('never deletes the active segment, however old', async () => {
    log = await fiveSegments({ retentionMs: 1 });
    clock.advance(1_000_000);
    expect(await new RetentionManager(clock).run(log)).toBe(4);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([8]);
    expect(log.logStartOffset).toBe(8);
    expect(await new RetentionManager(clock).run(log)).toBe(0);
  });

  it('deletes the oldest segments while the size minus the oldest segment is still >= retention.bytes', async () => {
    log = await fiveSegments({ retentionMs: -1 });
    const size = log.segments[0]!.size;
    expect(log.segments.every((s) => s.size === size)).toBe(true);
    log.updateConfig({ ...log.config, retentionBytes: 2 * size + 1 });
    expect(await new RetentionManager(clock).run(log)).toBe(2);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([4, 6, 8]);
    log.updateConfig({ ...log.config, retentionBytes: 2 * size });
    expect(await new RetentionManager(clock).run(log)).toBe(1);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([6, 8]);
  });

  it('does nothing for compact-only topics or without limits', async () => {
    log = await fiveSegments({ retentionMs: 1, retentionBytes: 0 });
    log.updateConfig({ ...log.config, cleanupPolicy: 'compact' });
    clock.advance(1_000_000);
    expect(await new RetentionManager(clock).run(log)).toBe(0);
    log.updateConfig({ ...log.config, cleanupPolicy: 'delete', retentionMs: -1, retentionBytes: -1 });
    expect(await new RetentionManager(clock).run(log)).toBe(0);
    log.updateConfig({ ...log.config, cleanupPolicy: 'compact,delete', retentionMs: 1 });
    expect(await new RetentionManager(clock).run(log)).toBe(4);
  });
});
