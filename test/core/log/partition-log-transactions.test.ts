/**
 * Partition-level transactions: ongoing transactions and the last stable offset, read_committed reads,
 * transaction markers, the aborted-transaction index, fencing, snapshots and recovery after SIGKILL.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidProducerEpochError, InvalidRecordError } from '../../../core/errors/log-errors.ts';
import { CONTROL_TYPE_ABORT, CONTROL_TYPE_COMMIT, controlTypeAt, encodeTxnMarkerBatch } from '../../../core/log/control-batch.ts';
import { forEachBatch, readBatchHeader } from '../../../core/log/record-batch.ts';
import { LogCleaner } from '../../../core/log/log-cleaner.ts';
import type { PartitionLog } from '../../../core/log/partition-log.ts';
import { ManualClock } from '../../../core/time/clock.ts';
import { batchOf, decodeAll, makeTempDir, openLog, readAllRecords, removeDir } from './storage-test-helpers.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A transactional batch of `n` records of producer `pid`. */
function txnBatch(pid: number, seq: number, values: string[], epoch = 0, keys?: string[]): Buffer {
  return batchOf(
    values.map((value, i) => ({ key: keys?.[i] ?? null, value })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq, isTransactional: true },
  );
}

/** Base offsets and attributes of every batch read from `from`. */
function batchesOf(log: PartitionLog, from: number, isolation: 'read_committed' | 'read_uncommitted'): { base: number; control: boolean }[] {
  const { records } = log.read(from, 1 << 20, { isolation });
  const out: { base: number; control: boolean }[] = [];
  forEachBatch(records, (_p, h) => out.push({ base: h.baseOffset, control: h.isControl }));
  return out;
}

describe('core/log/partition-log transactions', () => {
  let dir: string;
  let log: PartitionLog | null = null;
  beforeEach(() => {
    dir = path.join(makeTempDir('partition-txn'), 'orders-0');
  });
  afterEach(async () => {
    if (log?.isOpen) await log.close();
    log = null;
    removeDir(path.dirname(dir));
  });

  it('encodes markers in Kafka layout: control key version 0 + type, value version 0 + coordinator epoch', () => {
    const commit = encodeTxnMarkerBatch(7, 3, true, 11, 1_000);
    const header = readBatchHeader(commit, 0);
    expect(header).toMatchObject({ producerId: 7, producerEpoch: 3, isTransactional: true, isControl: true, recordCount: 1, baseSequence: -1 });
    expect(controlTypeAt(commit, 0)).toBe(CONTROL_TYPE_COMMIT);
    expect(controlTypeAt(encodeTxnMarkerBatch(7, 3, false, 11, 1_000), 0)).toBe(CONTROL_TYPE_ABORT);
    const [record] = decodeAll(commit);
    expect([...record!.key!]).toEqual([0, 0, 0, 1]);
    expect([...record!.value!]).toEqual([0, 0, 0, 0, 0, 11]);
  });

  it('an ongoing transaction holds the last stable offset; read_committed stops there until the marker', async () => {
    log = await openLog(dir);
    await log.append(batchOf(['plain-0', 'plain-1']));
    expect(log.lastStableOffset).toBe(2);
    await log.append(txnBatch(5, 0, ['t-2', 't-3']));
    await log.append(batchOf(['plain-4']));
    await log.append(txnBatch(5, 2, ['t-5']));
    expect(log.highWatermark).toBe(6);
    expect(log.lastStableOffset).toBe(2);
    expect(batchesOf(log, 0, 'read_committed').map((b) => b.base)).toEqual([0]);
    expect(log.read(2, 1 << 20, { isolation: 'read_committed' }).records.length).toBe(0);
    expect(log.read(0, 1 << 20, { isolation: 'read_committed' }).lastStableOffset).toBe(2);
    expect(batchesOf(log, 0, 'read_uncommitted').map((b) => b.base)).toEqual([0, 2, 4, 5]);

    const marker = await log.appendTxnMarker(5, 0, true, 0);
    expect(marker).toMatchObject({ baseOffset: 6, lastOffset: 6, recordCount: 1 });
    expect(log.lastStableOffset).toBe(7);
    expect(batchesOf(log, 0, 'read_committed')).toEqual([
      { base: 0, control: false },
      { base: 2, control: false },
      { base: 4, control: false },
      { base: 5, control: false },
      { base: 6, control: true },
    ]);
    expect(log.abortedTransactions(0, 7)).toEqual([]);
  });

  it('the earliest of several producers bounds the LSO; aborts go to the aborted index in first-offset order', async () => {
    log = await openLog(dir);
    await log.append(txnBatch(1, 0, ['a0'])); // 0
    await log.append(txnBatch(2, 0, ['b1'])); // 1
    await log.append(txnBatch(1, 1, ['a2'])); // 2
    expect(log.lastStableOffset).toBe(0);
    await log.appendTxnMarker(2, 0, false, 0); // 3: abort txn of 2 (first 1)
    expect(log.lastStableOffset).toBe(0);
    await log.appendTxnMarker(1, 0, false, 0); // 4: abort txn of 1 (first 0)
    expect(log.lastStableOffset).toBe(5);
    expect(log.abortedTransactions(0, 5)).toEqual([
      { producerId: 1, firstOffset: 0 },
      { producerId: 2, firstOffset: 1 },
    ]);
    // overlap rules: [from, upTo) against [first, marker]
    expect(log.abortedTransactions(4, 5)).toEqual([{ producerId: 1, firstOffset: 0 }]);
    expect(log.abortedTransactions(0, 1)).toEqual([{ producerId: 1, firstOffset: 0 }]);
    expect(log.abortedTransactions(5, 10)).toEqual([]);
    await log.append(txnBatch(2, 1, ['b5'])); // a new transaction of producer 2
    expect(log.lastStableOffset).toBe(5);
    await log.appendTxnMarker(2, 0, true, 0);
    expect(log.lastStableOffset).toBe(7);
    expect(log.abortedTransactions(5, 7)).toEqual([]);
  });

  it('refuses control batches from append, transactional batches without producer id, and fenced epochs', async () => {
    log = await openLog(dir);
    await expect(log.append(encodeTxnMarkerBatch(3, 0, true, 0, 1_000))).rejects.toThrow(InvalidRecordError);
    await expect(log.append(batchOf(['x'], { isTransactional: true }))).rejects.toThrow(InvalidRecordError);
    await log.append(txnBatch(3, 0, ['a'], 2));
    await expect(log.append(txnBatch(3, 1, ['b'], 1))).rejects.toMatchObject({ code: 'INVALID_PRODUCER_EPOCH' });
    await expect(log.appendTxnMarker(3, 1, true, 0)).rejects.toThrow(InvalidProducerEpochError);
    expect(log.lastStableOffset).toBe(0);
    // a coordinator abort with a bumped epoch fences epoch 2 afterwards
    await log.appendTxnMarker(3, 3, false, 0);
    expect(log.lastStableOffset).toBe(2);
    await expect(log.append(txnBatch(3, 1, ['c'], 2))).rejects.toThrow(InvalidProducerEpochError);
    await log.append(txnBatch(3, 0, ['d'], 3));
    expect(log.lastStableOffset).toBe(2);
  });

  it('writes a marker for a producer with no ongoing transaction without changing transaction state', async () => {
    log = await openLog(dir);
    await log.append(batchOf(['plain']));
    const marker = await log.appendTxnMarker(42, 0, false, 0);
    expect(marker.baseOffset).toBe(1);
    expect(log.lastStableOffset).toBe(2);
    expect(log.abortedTransactions(0, 2)).toEqual([]);
  });

  it('under flush policy always the LSO stays at the transaction until its marker is durable (below the high watermark)', async () => {
    log = await openLog(dir, {}, { flushPolicy: { mode: 'always' } });
    await log.append(txnBatch(1, 0, ['a']));
    expect(log.highWatermark).toBe(1);
    const marker = log.appendTxnMarker(1, 0, true, 0);
    expect(log.logEndOffset).toBe(2);
    expect(log.highWatermark).toBe(1);
    expect(log.lastStableOffset).toBe(0);
    await marker;
    expect(log.lastStableOffset).toBe(2);
  });

  it('waitForData with read_committed wakes when the LSO passes the offset, not when the high watermark does', async () => {
    log = await openLog(dir);
    await log.append(txnBatch(1, 0, ['a']));
    let woke = false;
    const waiting = log.waitForData(0, 60_000, 'read_committed').then(() => (woke = true));
    await log.append(batchOf(['plain']));
    await new Promise((r) => setTimeout(r, 20));
    expect(woke).toBe(false);
    await log.appendTxnMarker(1, 0, true, 0);
    await waiting;
    expect(woke).toBe(true);
    await expect(log.waitForData(2, 60_000)).resolves.toBeUndefined();
  });

  it('keeps ongoing and aborted transactions across a clean close and across reopen without snapshots', async () => {
    log = await openLog(dir, { segmentBytes: 300 });
    for (let i = 0; i < 6; i++) await log.append(txnBatch(1, i, [`a${i}`]));
    await log.appendTxnMarker(1, 0, false, 0); // 6
    await log.append(txnBatch(2, 0, ['b7'])); // 7
    for (let i = 0; i < 4; i++) await log.append(batchOf([`p${i}`]));
    expect(log.segments.length).toBeGreaterThan(1);
    const lso = log.lastStableOffset;
    const aborted = log.abortedTransactions(0, log.logEndOffset);
    expect(lso).toBe(7);
    expect(aborted).toEqual([{ producerId: 1, firstOffset: 0 }]);
    await log.close();
    log = await openLog(dir, { segmentBytes: 300 });
    expect(log.lastStableOffset).toBe(lso);
    expect(log.abortedTransactions(0, log.logEndOffset)).toEqual(aborted);
    await log.close();
    for (const name of fs.readdirSync(dir)) if (name.endsWith('.snapshot')) fs.unlinkSync(path.join(dir, name));
    log = await openLog(dir, { segmentBytes: 300 });
    expect(log.lastStableOffset).toBe(lso);
    expect(log.abortedTransactions(0, log.logEndOffset)).toEqual(aborted);
    await log.appendTxnMarker(2, 0, true, 0);
    expect(log.lastStableOffset).toBe(log.highWatermark);
  });

  it('DeleteRecords drops aborted transactions below the new log start offset', async () => {
    log = await openLog(dir, { segmentBytes: 200 });
    await log.append(txnBatch(1, 0, ['a0', 'a1']));
    await log.appendTxnMarker(1, 0, false, 0); // 2
    for (let i = 0; i < 6; i++) await log.append(batchOf([`p${i}`]));
    await log.append(txnBatch(1, 2, ['a9'], 0)); // 9
    await log.appendTxnMarker(1, 0, false, 0); // 10
    expect(log.abortedTransactions(0, 11).length).toBe(2);
    await log.deleteRecordsBefore(5);
    expect(log.abortedTransactions(0, 11)).toEqual([{ producerId: 1, firstOffset: 9 }]);
    await log.close();
    log = await openLog(dir, { segmentBytes: 200 });
    expect(log.abortedTransactions(0, 11)).toEqual([{ producerId: 1, firstOffset: 9 }]);
  });

  it('compaction drops aborted transactions, keeps markers, and never cleans past the LSO', async () => {
    const clock = new ManualClock(10_000);
    log = await openLog(dir, { cleanupPolicy: 'compact', segmentBytes: 250, minCompactionLagMs: 0 }, { clock });
    await log.append(txnBatch(1, 0, ['committed'], 0, ['k'])); // 0
    await log.appendTxnMarker(1, 0, true, 0); // 1
    await log.append(txnBatch(1, 1, ['aborted'], 0, ['k'])); // 2
    await log.appendTxnMarker(1, 0, false, 0); // 3
    await log.append(txnBatch(2, 0, ['open'], 0, ['j'])); // 4: stays open
    for (let i = 0; i < 8; i++) await log.append(batchOf([{ key: 'j', value: `later${i}` }]));
    const cleaner = new LogCleaner(clock);
    await cleaner.clean(log);
    const records = readAllRecords(log);
    const values = records.map((r) => r.value);
    // the aborted value is gone and did not shadow the committed one; the open transaction's record stays
    expect(values).not.toContain('aborted');
    expect(values).toContain('committed');
    expect(values).toContain('open');
    const controls = batchesOf(log, 0, 'read_uncommitted').filter((b) => b.control).map((b) => b.base);
    expect(controls).toContain(1);
  });
});

describe('core/log/partition-log transactions after SIGKILL', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir('partition-txn-crash');
  });
  afterEach(() => removeDir(root));

  function runUntilKilled(dir: string, acksBeforeKill: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const fixture = path.join(repoRoot, 'test/fixtures/txn-append-until-killed.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, '700'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let acks = 0;
      let stderr = '';
      let pending = '';
      let killing = false;
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.startsWith('ack ')) acks++;
        if (acks >= acksBeforeKill && !killing) {
          killing = true;
          child.kill('SIGKILL');
        }
      });
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(acks) : reject(new Error(`child exited: ${stderr}`))));
    });
  }

  /** Transaction state computed from scratch by reading every batch of the log. */
  function model(log: PartitionLog): { lso: number; aborted: { producerId: number; firstOffset: number }[] } {
    const ongoing = new Map<number, number>();
    const aborted: { producerId: number; firstOffset: number }[] = [];
    let next = 0;
    while (next < log.highWatermark) {
      const { records } = log.read(next, 1 << 20);
      forEachBatch(records, (p, h) => {
        if (h.baseOffset < next) return;
        if (h.isControl) {
          const first = ongoing.get(h.producerId);
          if (first !== undefined && controlTypeAt(records, p) === CONTROL_TYPE_ABORT) aborted.push({ producerId: h.producerId, firstOffset: first });
          ongoing.delete(h.producerId);
        } else if (h.isTransactional && !ongoing.has(h.producerId)) ongoing.set(h.producerId, h.baseOffset);
        next = h.lastOffset + 1;
      });
    }
    const lso = ongoing.size === 0 ? log.highWatermark : Math.min(...ongoing.values());
    return { lso, aborted: aborted.sort((a, b) => a.firstOffset - b.firstOffset) };
  }

  it('rebuilds ongoing transactions, the LSO and the aborted index exactly after kills at arbitrary points', { timeout: 60_000 }, async () => {
    for (const [i, acks] of [23, 61, 140].entries()) {
      const dir = path.join(root, `run${i}`, 'txn-crash-0');
      await runUntilKilled(dir, acks);
      const log = await openLog(dir, { segmentBytes: 700 }, { topic: 'txn-crash' });
      try {
        expect(log.recoveryReport.cleanShutdown).toBe(false);
        expect(log.segments.length).toBeGreaterThan(1);
        const expected = model(log);
        expect(expected.aborted.length).toBeGreaterThan(0);
        expect(log.lastStableOffset).toBe(expected.lso);
        expect(log.abortedTransactions(0, log.logEndOffset)).toEqual(expected.aborted);
        // read_committed stops at the rebuilt LSO; the transaction open at the crash stays open
        const committed = log.read(0, 1 << 30, { isolation: 'read_committed' });
        let lastBase = -1;
        forEachBatch(committed.records, (_p, h) => (lastBase = h.baseOffset));
        expect(lastBase).toBeLessThan(expected.lso);
        if (expected.lso < log.highWatermark) {
          const open = readBatchHeader(log.read(expected.lso, 1).records, 0);
          await log.appendTxnMarker(open.producerId, 0, true, 0);
          expect(log.lastStableOffset).toBeGreaterThan(expected.lso);
          expect(log.lastStableOffset).toBe(model(log).lso);
        }
      } finally {
        await log.close();
      }
    }
  });
});
