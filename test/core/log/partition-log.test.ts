import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/time/clock.ts';
import {
  ClosedError,
  InvalidRecordError,
  LogCorruptedError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  StorageError,
} from '../../../core/errors/log-errors.ts';
import { forEachBatch } from '../../../core/log/record-batch.ts';
import type { PartitionLog } from '../../../core/log/partition-log.ts';
import { batchOf, decodeAll, makeTempDir, openLog, readAllRecords, removeDir } from './storage-test-helpers.ts';

function values(from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `value-${from + i}`);
}

describe('core/log/partition-log', () => {
  let dir: string;
  let log: PartitionLog | null = null;
  beforeEach(() => {
    dir = path.join(makeTempDir('partition-log'), 'orders-0');
  });
  afterEach(async () => {
    if (log?.isOpen) await log.close();
    log = null;
    removeDir(path.dirname(dir));
  });

  describe('append and read', () => {
    it('assigns contiguous offsets and reads whole batches back', async () => {
      log = await openLog(dir);
      const a = await log.append(batchOf(values(0, 3)));
      const b = await log.append(batchOf(values(3, 2)));
      expect(a).toEqual({ baseOffset: 0, lastOffset: 2, logAppendTime: -1, recordCount: 3, duplicate: false });
      expect(b.baseOffset).toBe(3);
      expect(log.logEndOffset).toBe(5);
      expect(log.highWatermark).toBe(5);
      expect(readAllRecords(log).map((r) => r.value)).toEqual(values(0, 5));
      const mid = log.read(4, 1);
      const recs = decodeAll(mid.records);
      expect(recs[0]!.offset).toBe(3);
      expect(mid.highWatermark).toBe(5);
      expect(mid.logStartOffset).toBe(0);
      expect(log.read(5, 100).records.length).toBe(0);
      expect(() => log!.read(6, 100)).toThrow(OffsetOutOfRangeError);
      expect(() => log!.read(-1, 100)).toThrow(OffsetOutOfRangeError);
    });

    it('accepts several batches in one buffer and stores their bytes unchanged apart from offset and epoch', async () => {
      log = await openLog(dir);
      const one = batchOf(values(0, 2));
      const two = batchOf(values(2, 3));
      const result = await log.append(Buffer.concat([one, two]));
      expect(result).toMatchObject({ baseOffset: 0, lastOffset: 4, recordCount: 5 });
      const bytes = log.read(0, 1 << 20).records;
      const bases: number[] = [];
      forEachBatch(bytes, (_p, h) => {
        bases.push(h.baseOffset);
        expect(h.partitionLeaderEpoch).toBe(0);
      });
      expect(bases).toEqual([0, 2]);
      expect(bytes.subarray(21, one.length).equals(one.subarray(21))).toBe(true);
    });

    it('returns at least one batch even when it is larger than maxBytes, and stops at maxOffset', async () => {
      log = await openLog(dir);
      await log.append(batchOf(values(0, 50)));
      await log.append(batchOf(values(50, 50)));
      expect(decodeAll(log.read(0, 10).records).length).toBe(50);
      expect(decodeAll(log.read(0, 1 << 20, { maxOffset: 50 }).records).length).toBe(50);
      expect(decodeAll(log.read(0, 1 << 20).records).length).toBe(100);
    });

    it('refuses a batch over max.message.bytes, a corrupt batch, and keyless records on compacted topics', async () => {
      log = await openLog(dir, { maxMessageBytes: 200, cleanupPolicy: 'compact' });
      await expect(log.append(batchOf([{ key: 'k', value: 'x'.repeat(300) }]))).rejects.toBeInstanceOf(RecordTooLargeError);
      const bad = batchOf([{ key: 'k', value: 'v' }]);
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
      await expect(log.append(bad)).rejects.toBeInstanceOf(InvalidRecordError);
      await expect(log.append(batchOf([{ key: 'k', value: 'v' }, { value: 'no key' }]))).rejects.toThrow(/no key/);
      await expect(log.append(Buffer.concat([batchOf([{ key: 'a', value: '1' }]), Buffer.alloc(20)]))).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
      expect(log.logEndOffset).toBe(0);
      await log.append(batchOf([{ key: 'k', value: 'v' }]));
      expect(log.logEndOffset).toBe(1);
    });

    it('stamps LogAppendTime from the clock', async () => {
      const clock = new ManualClock(77_000);
      log = await openLog(dir, { messageTimestampType: 'LogAppendTime' }, { clock });
      const result = await log.append(batchOf(values(0, 2), {}, 5));
      expect(result.logAppendTime).toBe(77_000);
      expect(readAllRecords(log).map((r) => r.timestamp)).toEqual([77_000, 77_000]);
    });
  });

  describe('segments', () => {
    it('rolls when the next batch would pass segment.bytes and reads across segments', async () => {
      log = await openLog(dir, { segmentBytes: 400 });
      for (let i = 0; i < 10; i++) await log.append(batchOf(values(i * 3, 3)));
      const bases = log.segments.map((s) => s.baseOffset);
      expect(bases.length).toBeGreaterThan(3);
      for (const s of log.segments) expect(s.size).toBeLessThanOrEqual(400);
      expect(bases[0]).toBe(0);
      for (const s of log.segments.slice(0, -1)) {
        expect(fs.existsSync(s.indexFile)).toBe(true);
        expect(fs.existsSync(s.timeIndexFile)).toBe(true);
      }
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.snapshot')).length).toBeGreaterThan(0);
      expect(readAllRecords(log, 0, 100).map((r) => r.value)).toEqual(values(0, 30));
      expect(log.sizeInBytes).toBe(log.segments.reduce((a, s) => a + s.size, 0));
    });

    it('rolls when the active segment is older than segment.ms (clock time)', async () => {
      const clock = new ManualClock(10_000);
      log = await openLog(dir, { segmentMs: 1_000 }, { clock });
      await log.append(batchOf(values(0, 1)));
      clock.advance(1_000);
      await log.append(batchOf(values(1, 1)));
      expect(log.segments.length).toBe(1);
      clock.advance(1);
      await log.append(batchOf(values(2, 1)));
      expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
    });
  });

  describe('flush policies and waiting', () => {
    it("'always' acknowledges after fsync and moves the high watermark only then", async () => {
      log = await openLog(dir, {}, { flushPolicy: { mode: 'always' } });
      const acks = [log.append(batchOf(values(0, 1))), log.append(batchOf(values(1, 1))), log.append(batchOf(values(2, 1)))];
      expect(log.logEndOffset).toBe(3);
      expect(log.highWatermark).toBe(0);
      expect(log.read(0, 100).records.length).toBe(0);
      const results = await Promise.all(acks);
      expect(results.map((r) => r.baseOffset)).toEqual([0, 1, 2]);
      expect(log.highWatermark).toBe(3);
    });

    it("under 'always', waiters wake when the fsync moves the high watermark, not at the write", async () => {
      log = await openLog(dir, {}, { flushPolicy: { mode: 'always' } });
      let woke = false;
      const waiting = log.waitForData(0, 1_000_000).then(() => (woke = true));
      const ack = log.append(batchOf(values(0, 1)));
      await Promise.resolve();
      expect(log.logEndOffset).toBe(1);
      expect(woke).toBe(false);
      await ack;
      await waiting;
      expect(woke).toBe(true);
      expect(log.highWatermark).toBe(1);
    });

    it("'interval' fsyncs on a clock timer and acknowledges at once", async () => {
      const clock = new ManualClock(0);
      log = await openLog(dir, {}, { clock, flushPolicy: { mode: 'interval', intervalMs: 100 } });
      await log.append(batchOf(values(0, 1)));
      expect(log.highWatermark).toBe(1);
      clock.advance(100);
      await log.flush();
      expect(log.highWatermark).toBe(1);
    });

    it("a failed 'interval' fsync refuses later appends with a StorageError naming the partition", async () => {
      const clock = new ManualClock(0);
      log = await openLog(dir, {}, { clock, flushPolicy: { mode: 'interval', intervalMs: 100 } });
      await log.append(batchOf(values(0, 1)));
      // Close the active segment's descriptor behind the log's back: the timed fsync fails with EBADF.
      const fd = (log.activeSegment as unknown as { fd: number }).fd;
      fs.closeSync(fd);
      clock.advance(100);
      await new Promise((r) => setTimeout(r, 50));
      const refused = log.append(batchOf(values(1, 1)));
      await expect(refused).rejects.toBeInstanceOf(StorageError);
      await expect(refused).rejects.toThrow(/Background fsync of orders-0 failed/);
      expect(log.logEndOffset).toBe(1);
      log = null; // its descriptor is gone; the directory is removed in afterEach
    });

    it('waitForData resolves on append, on timeout and on close, without polling', async () => {
      const clock = new ManualClock(0);
      log = await openLog(dir, {}, { clock });
      let woke = false;
      const waiting = log.waitForData(0, 10_000).then(() => (woke = true));
      await Promise.resolve();
      expect(woke).toBe(false);
      await log.append(batchOf(values(0, 1)));
      await waiting;
      expect(woke).toBe(true);
      await log.waitForData(0, 10_000);
      let timedOut = false;
      const timeout = log.waitForData(5, 500).then(() => (timedOut = true));
      clock.advance(499);
      await Promise.resolve();
      expect(timedOut).toBe(false);
      clock.advance(1);
      await timeout;
      const onClose = log.waitForData(9, 1_000_000);
      await log.close();
      await onClose;
    });
  });

  it('finds the first offset with a timestamp at or after a given one', async () => {
    log = await openLog(dir, { segmentBytes: 300 });
    for (let i = 0; i < 10; i++) {
      await log.append(batchOf([{ value: `a${i}`, timestamp: 1_000 + i * 10 }, { value: `b${i}`, timestamp: 1_005 + i * 10 }]));
    }
    expect(log.segments.length).toBeGreaterThan(2);
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1_000 });
    expect(log.offsetForTimestamp(1_005)).toEqual({ offset: 1, timestamp: 1_005 });
    expect(log.offsetForTimestamp(1_006)).toEqual({ offset: 2, timestamp: 1_010 });
    expect(log.offsetForTimestamp(1_073)).toEqual({ offset: 15, timestamp: 1_075 });
    expect(log.offsetForTimestamp(1_095)).toEqual({ offset: 19, timestamp: 1_095 });
    expect(log.offsetForTimestamp(1_096)).toBeNull();
  });

  it('finds timestamps inside a batch whose records are out of order', async () => {
    log = await openLog(dir);
    await log.append(batchOf([{ value: 'x', timestamp: 50 }, { value: 'y', timestamp: 90 }, { value: 'z', timestamp: 60 }]));
    expect(log.offsetForTimestamp(55)).toEqual({ offset: 1, timestamp: 90 });
    expect(log.offsetForTimestamp(91)).toBeNull();
  });

  it('deleteRecordsBefore raises and persists the log start offset and deletes whole segments below it', async () => {
    log = await openLog(dir, { segmentBytes: 300 });
    for (let i = 0; i < 10; i++) await log.append(batchOf(values(i * 2, 2)));
    const bases = log.segments.map((s) => s.baseOffset);
    const cut = bases[2]! + 1;
    expect(await log.deleteRecordsBefore(cut)).toBe(cut);
    expect(log.segments[0]!.baseOffset).toBe(bases[2]);
    expect(() => log!.read(cut - 1, 100)).toThrow(OffsetOutOfRangeError);
    expect(readAllRecords(log)[0]!.offset).toBe(cut);
    await expect(log.deleteRecordsBefore(100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await log.close();
    log = await openLog(dir, { segmentBytes: 300 });
    expect(log.logStartOffset).toBe(cut);
    expect(log.logEndOffset).toBe(20);
  });

  it('close writes a clean marker; a reopen is clean and continues the offsets; methods throw ClosedError after close', async () => {
    log = await openLog(dir);
    await log.append(batchOf(values(0, 4)));
    await log.close();
    expect(() => log!.read(0, 100)).toThrow(ClosedError);
    await expect(log.append(batchOf(values(0, 1)))).rejects.toBeInstanceOf(ClosedError);
    await expect(log.flush()).rejects.toBeInstanceOf(ClosedError);
    await expect(log.waitForData(0, 10)).rejects.toBeInstanceOf(ClosedError);
    await expect(log.deleteRecordsBefore(1)).rejects.toBeInstanceOf(ClosedError);
    expect(() => log!.offsetForTimestamp(0)).toThrow(ClosedError);
    expect(() => log!.updateConfig(log!.config)).toThrow(ClosedError);
    expect(fs.existsSync(path.join(dir, 'clean-shutdown'))).toBe(true);
    log = await openLog(dir);
    expect(fs.existsSync(path.join(dir, 'clean-shutdown'))).toBe(false);
    expect(log.recoveryReport).toEqual({ topic: 'orders', partition: 0, truncatedBytes: 0, rebuiltIndexes: [], cleanShutdown: true });
    expect((await log.append(batchOf(values(4, 1)))).baseOffset).toBe(4);
    expect(readAllRecords(log).map((r) => r.value)).toEqual(values(0, 5));
  });

  it('an unclean reopen validates the active segment, truncates a torn tail and rebuilds its indexes', async () => {
    log = await openLog(dir, { segmentBytes: 500 });
    for (let i = 0; i < 8; i++) await log.append(batchOf(values(i * 2, 2)));
    const crashed = path.join(path.dirname(dir), 'crashed-0');
    fs.cpSync(dir, crashed, { recursive: true });
    const active = path.join(crashed, path.basename(log.activeSegment.logFile));
    fs.appendFileSync(active, batchOf(values(99, 3)).subarray(0, 30));
    const reopened = await openLog(crashed, { segmentBytes: 500 });
    expect(reopened.recoveryReport.cleanShutdown).toBe(false);
    expect(reopened.recoveryReport.truncatedBytes).toBe(30);
    expect(reopened.logEndOffset).toBe(16);
    expect(readAllRecords(reopened).map((r) => r.value)).toEqual(values(0, 16));
    await reopened.close();
  });

  it('rebuilds a missing index of a closed segment and names it in the recovery report', async () => {
    log = await openLog(dir, { segmentBytes: 300 }, { indexIntervalBytes: 100 });
    for (let i = 0; i < 10; i++) await log.append(batchOf(values(i * 2, 2)));
    const closed = log.segments[0]!;
    await log.close();
    fs.unlinkSync(closed.indexFile);
    log = await openLog(dir, { segmentBytes: 300 }, { indexIntervalBytes: 100 });
    expect(log.recoveryReport.rebuiltIndexes).toEqual([closed.indexFile]);
    expect(readAllRecords(log).map((r) => r.value)).toEqual(values(0, 20));
  });

  it('a bit flipped inside a closed segment makes read throw LogCorruptedError with that file and position', async () => {
    log = await openLog(dir, { segmentBytes: 400 });
    for (let i = 0; i < 10; i++) await log.append(batchOf(values(i * 3, 3)));
    const closed = log.segments[1]!;
    const second = closed.translateOffset(closed.baseOffset + 3);
    expect(second).toBeGreaterThan(0);
    await log.close();
    const bytes = fs.readFileSync(closed.logFile);
    bytes[second + 66] = bytes[second + 66]! ^ 0x04;
    fs.writeFileSync(closed.logFile, bytes);
    log = await openLog(dir, { segmentBytes: 400 });
    expect(log.recoveryReport.truncatedBytes).toBe(0);
    expect(decodeAll(log.read(closed.baseOffset, 1).records).length).toBe(3);
    let caught: unknown = null;
    try {
      log.read(closed.baseOffset, 1 << 20);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LogCorruptedError);
    expect((caught as LogCorruptedError).file).toBe(closed.logFile);
    expect((caught as LogCorruptedError).position).toBe(second);
    expect(() => log!.read(closed.baseOffset + 4, 1)).toThrow(LogCorruptedError);
    // Without CRC checks (the broker's Fetch) the stored bytes come back as they are, into the buffers given.
    const given: Buffer[] = [];
    const allocate = (size: number): Buffer => {
      const b = Buffer.alloc(size + 10).subarray(5, 5 + size);
      given.push(b);
      return b;
    };
    const unchecked = log.read(closed.baseOffset + 4, 1, { verifyCrc: false, allocate }).records;
    expect(unchecked.equals(bytes.subarray(second, second + unchecked.length))).toBe(true);
    expect(given.length).toBe(2); // 1 byte asked, then the whole first batch
    expect(unchecked.buffer).toBe(given[1]!.buffer);
    expect(unchecked.byteOffset).toBe(given[1]!.byteOffset);
    let full: unknown = null;
    try {
      log.verifyIntegrity();
    } catch (error) {
      full = error;
    }
    expect(full).toBeInstanceOf(LogCorruptedError);
    expect((full as LogCorruptedError).file).toBe(closed.logFile);
    expect((full as LogCorruptedError).position).toBe(second);
    expect(log.recoveryReport.truncatedBytes).toBe(0);
    expect(fs.statSync(closed.logFile).size).toBe(bytes.length);
  });

  it('verifyIntegrity checks every batch of every segment', async () => {
    log = await openLog(dir, { segmentBytes: 400 });
    for (let i = 0; i < 10; i++) await log.append(batchOf(values(i * 3, 3)));
    expect(log.segments.length).toBeGreaterThan(2);
    expect(log.verifyIntegrity()).toBe(10);
  });

  it('delete() closes the log and removes its directory', async () => {
    log = await openLog(dir);
    await log.append(batchOf(values(0, 1)));
    await log.delete();
    expect(fs.existsSync(dir)).toBe(false);
    expect(() => log!.read(0, 1)).toThrow(ClosedError);
  });
});
