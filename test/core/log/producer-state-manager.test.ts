import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProducerStateManager, incrementSequence } from '../../../core/log/producer-state-manager.ts';
import { InvalidProducerEpochError, OutOfOrderSequenceError } from '../../../core/errors/log-errors.ts';
import type { PartitionLog } from '../../../core/log/partition-log.ts';
import { batchOf, makeTempDir, openLog, readAllRecords, removeDir } from './storage-test-helpers.ts';

/** A batch of `n` records from producer `pid` with the given epoch and first sequence. */
function idempotent(pid: number, epoch: number, seq: number, n: number, tag = 'v'): Buffer {
  return batchOf(
    Array.from({ length: n }, (_, i) => `${tag}${seq + i}`),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq },
  );
}

describe('core/log/producer-state-manager', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = makeTempDir('psm');
    dir = path.join(root, 'p-0');
    fs.mkdirSync(dir);
  });
  afterEach(() => removeDir(root));

  it('wraps sequence numbers at 2^31 - 1 as Kafka does', () => {
    expect(incrementSequence(5, 3)).toBe(8);
    expect(incrementSequence(2147483647, 1)).toBe(0);
    expect(incrementSequence(2147483646, 3)).toBe(1);
  });

  it('accepts in-order batches, finds duplicates among the last five, refuses gaps and fenced epochs', () => {
    const psm = new ProducerStateManager({ dir, topic: 't', partition: 3 });
    expect(psm.check(1, 0, 17, 17)).toBeNull(); // unknown producer: any first sequence
    psm.clearPending();
    psm.update(1, 0, 17, 17, 0, 0);
    for (let i = 0; i < 6; i++) {
      expect(psm.check(1, 0, 18 + i, 18 + i)).toBeNull();
      psm.clearPending();
      psm.update(1, 0, 18 + i, 18 + i, 1 + i, 1 + i);
    }
    expect(psm.check(1, 0, 23, 23)).toEqual({ firstSeq: 23, lastSeq: 23, baseOffset: 6, lastOffset: 6 });
    expect(psm.check(1, 0, 19, 19)).toEqual({ firstSeq: 19, lastSeq: 19, baseOffset: 2, lastOffset: 2 });
    expect(() => psm.check(1, 0, 18, 18)).toThrow(OutOfOrderSequenceError); // dropped out of the last five
    expect(() => psm.check(1, 0, 25, 25)).toThrow(/t-3.*expected sequence 24, received 25/);
    expect(() => psm.check(1, 0, 25, 25)).toThrow(/Producer 1/);
    expect(() => psm.check(1, 1, 5, 5)).toThrow(/expected sequence 0, received 5/);
    expect(psm.check(1, 1, 0, 0)).toBeNull();
    psm.clearPending();
    psm.update(1, 1, 0, 0, 7, 7);
    expect(() => psm.check(1, 0, 24, 24)).toThrow(InvalidProducerEpochError);
  });

  it('counts batches checked earlier in the same append', () => {
    const psm = new ProducerStateManager({ dir, topic: 't', partition: 0 });
    psm.update(4, 0, 0, 9, 0, 9);
    expect(psm.check(4, 0, 10, 19)).toBeNull();
    expect(psm.check(4, 0, 20, 29)).toBeNull();
    expect(() => psm.check(4, 0, 10, 19)).toThrow(OutOfOrderSequenceError);
    psm.clearPending();
    expect(psm.check(4, 0, 10, 19)).toBeNull();
  });

  it('snapshots round-trip; snapshots beyond the log end and corrupt ones are discarded', () => {
    const psm = new ProducerStateManager({ dir, topic: 't', partition: 0 });
    psm.update(2 ** 40 + 3, 7, 100, 104, 50, 54);
    psm.update(9, 0, 0, 0, 55, 55);
    psm.takeSnapshot(56);
    psm.update(9, 0, 1, 1, 56, 56);
    psm.takeSnapshot(57);
    psm.takeSnapshot(58);
    expect(psm.snapshotOffsets()).toEqual([57, 58]);
    const loaded = new ProducerStateManager({ dir, topic: 't', partition: 0 });
    expect(loaded.loadSnapshot(57)).toBe(57);
    expect(loaded.snapshotOffsets()).toEqual([57]);
    expect(loaded.entry(2 ** 40 + 3)).toEqual({ producerId: 2 ** 40 + 3, epoch: 7, batches: [{ firstSeq: 100, lastSeq: 104, baseOffset: 50, lastOffset: 54 }] });
    expect(loaded.entry(9)!.batches.length).toBe(2);
    const file = path.join(dir, '00000000000000000057.snapshot');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    fs.writeFileSync(file, bytes);
    expect(new ProducerStateManager({ dir, topic: 't', partition: 0 }).loadSnapshot(100)).toBe(-1);
    expect(fs.existsSync(file)).toBe(false);
  });

  describe('through PartitionLog', () => {
    let log: PartitionLog | null = null;
    afterEach(async () => {
      if (log?.isOpen) await log.close();
      log = null;
    });

    it('acknowledges a retried batch with its original offsets and appends nothing', async () => {
      log = await openLog(dir);
      await log.append(batchOf(['plain']));
      const first = await log.append(idempotent(77, 0, 0, 3));
      await log.append(idempotent(77, 0, 3, 2));
      const retry = await log.append(idempotent(77, 0, 0, 3));
      expect(first).toMatchObject({ baseOffset: 1, lastOffset: 3, duplicate: false });
      expect(retry).toMatchObject({ baseOffset: 1, lastOffset: 3, duplicate: true, recordCount: 3 });
      expect(log.logEndOffset).toBe(6);
      expect(readAllRecords(log).map((r) => r.value)).toEqual(['plain', 'v0', 'v1', 'v2', 'v3', 'v4']);
    });

    it('records the right offsets for an idempotent batch followed by a plain one in the same append', async () => {
      log = await openLog(dir);
      const result = await log.append(Buffer.concat([idempotent(3, 0, 0, 3), batchOf(['p1', 'p2'])]));
      expect(result).toMatchObject({ baseOffset: 0, lastOffset: 4, recordCount: 5 });
      expect(await log.append(idempotent(3, 0, 0, 3))).toMatchObject({ baseOffset: 0, lastOffset: 2, duplicate: true });
      expect(log.logEndOffset).toBe(5);
    });

    it('checks a whole multi-batch append before writing any of it', async () => {
      log = await openLog(dir);
      await log.append(idempotent(6, 0, 0, 1));
      const bad = Buffer.concat([idempotent(6, 0, 1, 1), idempotent(6, 0, 5, 1)]);
      await expect(log.append(bad)).rejects.toBeInstanceOf(OutOfOrderSequenceError);
      expect(log.logEndOffset).toBe(1);
      expect(await log.append(idempotent(6, 0, 1, 1))).toMatchObject({ baseOffset: 1, duplicate: false });
    });

    it('rejects a sequence gap and a fenced epoch, appending nothing', async () => {
      log = await openLog(dir, {}, { topic: 'payments' });
      await log.append(idempotent(5, 3, 0, 2));
      await expect(log.append(idempotent(5, 3, 3, 1))).rejects.toThrow(OutOfOrderSequenceError);
      await expect(log.append(idempotent(5, 3, 3, 1))).rejects.toThrow(/payments-0.*producer|Producer 5 on payments-0/);
      await expect(log.append(idempotent(5, 2, 2, 1))).rejects.toBeInstanceOf(InvalidProducerEpochError);
      expect(log.logEndOffset).toBe(2);
      await expect(log.append(idempotent(5, 4, 0, 1))).resolves.toMatchObject({ baseOffset: 2 });
      await expect(log.append(idempotent(5, 3, 2, 1))).rejects.toBeInstanceOf(InvalidProducerEpochError);
    });

    it('state survives a clean close and reopen', async () => {
      log = await openLog(dir);
      await log.append(idempotent(8, 0, 0, 2));
      await log.close();
      log = await openLog(dir);
      expect(await log.append(idempotent(8, 0, 0, 2))).toMatchObject({ baseOffset: 0, duplicate: true });
      await expect(log.append(idempotent(8, 0, 5, 1))).rejects.toBeInstanceOf(OutOfOrderSequenceError);
      expect((await log.append(idempotent(8, 0, 2, 1))).baseOffset).toBe(2);
    });

    it('state survives an unclean reopen with no snapshot newer than the data (rebuilt from batch headers)', async () => {
      log = await openLog(dir, { segmentBytes: 300 });
      for (let i = 0; i < 6; i++) await log.append(idempotent(11, 1, i * 2, 2));
      const snapshots = fs.readdirSync(dir).filter((n) => n.endsWith('.snapshot'));
      expect(snapshots.length).toBeGreaterThan(0);
      const newest = Math.max(...snapshots.map((n) => Number(n.slice(0, 20))));
      expect(newest).toBeLessThan(log.logEndOffset);
      const crashed = path.join(root, 'crashed-0');
      fs.cpSync(dir, crashed, { recursive: true });
      const reopened = await openLog(crashed, { segmentBytes: 300 });
      expect(reopened.recoveryReport.cleanShutdown).toBe(false);
      expect(await reopened.append(idempotent(11, 1, 10, 2))).toMatchObject({ baseOffset: 10, lastOffset: 11, duplicate: true });
      expect(await reopened.append(idempotent(11, 1, 8, 2))).toMatchObject({ baseOffset: 8, duplicate: true });
      await expect(reopened.append(idempotent(11, 1, 13, 1))).rejects.toThrow(/expected sequence 12, received 13/);
      expect((await reopened.append(idempotent(11, 1, 12, 1))).baseOffset).toBe(12);
      await reopened.close();
    });
  });
});
