/**
 * The transaction coordinator on a real LogManager and GroupCoordinator: commit and abort as seen by
 * read_committed reads, offsets applied only on commit, fencing by InitProducerId and by timeouts, errors,
 * persistence across reopen, and crash recovery of Prepare* and Ongoing transactions after SIGKILL.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConcurrentTransactionsError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  InvalidTxnStateError,
  ProducerFencedError,
} from '../../../core/errors/transaction-errors.ts';
import { InvalidArgumentError, UnknownTopicOrPartitionError } from '../../../core/errors/log-errors.ts';
import { GroupCoordinator } from '../../../core/log/group-coordinator.ts';
import { LogManager } from '../../../core/log/log-manager.ts';
import type { FlushPolicy } from '../../../core/log/log-contracts.ts';
import { encodeRecordBatch, forEachBatch } from '../../../core/log/record-batch.ts';
import { CONTROL_TYPE_ABORT, controlTypeAt } from '../../../core/log/control-batch.ts';
import { TRANSACTION_STATE_TOPIC } from '../../../core/log/topic-name.ts';
import { TransactionCoordinator, type TransactionCoordinatorOptions } from '../../../core/log/transaction-coordinator.ts';
import { encodeTransactionState, decodeTransactionState } from '../../../core/log/transaction-state-record.ts';
import { ManualClock, systemClock, type Clock } from '../../../core/time/clock.ts';
import { decodeAll, makeTempDir, removeDir } from './storage-test-helpers.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const silent = { warn: () => undefined, info: () => undefined };

interface Engine {
  logs: LogManager;
  groups: GroupCoordinator;
  txns: TransactionCoordinator;
  appended: string[];
}

async function openEngine(dir: string, clock: Clock, options: Partial<TransactionCoordinatorOptions> = {}, flushPolicy?: FlushPolicy): Promise<Engine> {
  const logs = await LogManager.open({ dir, clock, logger: silent, ...(flushPolicy ? { flushPolicy } : {}) });
  const groups = new GroupCoordinator({ logManager: logs, clock });
  await groups.start();
  const appended: string[] = [];
  const txns = new TransactionCoordinator({ logManager: logs, groups, clock, logger: silent, onAppend: (t, p) => appended.push(`${t}-${p}`), ...options });
  await txns.start();
  return { logs, groups, txns, appended };
}

async function closeEngine(e: Engine): Promise<void> {
  await e.txns.close();
  await e.groups.close();
  await e.logs.close();
}

function txnBatch(producerId: number, producerEpoch: number, seq: number, values: string[]): Buffer {
  return encodeRecordBatch(
    values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1_000 })),
    { producerId, producerEpoch, baseSequence: seq, isTransactional: true },
  );
}

/**
 * Values a read_committed consumer sees, filtered as Kafka's consumer does: an aborted transaction of
 * producer P begins at its first offset and ends at P's next abort marker; markers are skipped.
 */
function committedValues(logs: LogManager, topic: string, partition: number): string[] {
  const log = logs.partition(topic, partition);
  const abortedNow = new Set<number>();
  const out: string[] = [];
  let offset = 0;
  for (;;) {
    const { records, lastStableOffset } = log.read(offset, 1 << 20, { isolation: 'read_committed' });
    if (records.length === 0) return out;
    const queue = log.abortedTransactions(offset, lastStableOffset);
    forEachBatch(records, (p, h) => {
      offset = h.lastOffset + 1;
      while (queue.length > 0 && queue[0]!.firstOffset <= h.baseOffset) abortedNow.add(queue.shift()!.producerId);
      if (h.isControl) {
        if (controlTypeAt(records, p) === CONTROL_TYPE_ABORT) abortedNow.delete(h.producerId);
        return;
      }
      if (h.isTransactional && abortedNow.has(h.producerId)) return;
      for (const r of decodeAll(records.subarray(p, p + h.sizeInBytes))) out.push(r.value!.toString());
    });
  }
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('core/log/transaction-coordinator', () => {
  let dir: string;
  let clock: ManualClock;
  let e: Engine;
  beforeEach(async () => {
    dir = makeTempDir('txn-coordinator');
    clock = new ManualClock(1_000_000);
    e = await openEngine(dir, clock);
    await e.logs.createTopic('out', { numPartitions: 2 });
  });
  afterEach(async () => {
    await closeEngine(e).catch(() => undefined);
    removeDir(dir);
  });

  async function beginWithData(id: string, values: string[]): Promise<{ producerId: number; producerEpoch: number }> {
    const ids = await e.txns.initProducerId(id, 60_000);
    await e.txns.addPartitionsToTxn(id, ids.producerId, ids.producerEpoch, [
      { topic: 'out', partition: 0 },
      { topic: 'out', partition: 1 },
    ]);
    await e.logs.partition('out', 0).append(txnBatch(ids.producerId, ids.producerEpoch, 0, values));
    await e.logs.partition('out', 1).append(txnBatch(ids.producerId, ids.producerEpoch, 0, values));
    return ids;
  }

  it('commit: markers make the data visible to read_committed and the pending offsets become committed', async () => {
    const { producerId, producerEpoch } = await beginWithData('app', ['a', 'b']);
    expect(e.txns.describeTransaction('app')).toMatchObject({ state: 'Ongoing', producerId, producerEpoch, timeoutMs: 60_000, startedAt: 1_000_000 });
    expect(committedValues(e.logs, 'out', 0)).toEqual([]);
    await e.txns.addOffsetsToTxn('app', producerId, producerEpoch, 'g');
    const tooLong = [{ topic: 'in', partition: 0, offset: 3, metadata: 'x'.repeat(4097) }];
    await expect(e.txns.txnOffsetCommit('app', 'g', producerId, producerEpoch, tooLong)).rejects.toThrow(InvalidArgumentError);
    await e.txns.txnOffsetCommit('app', 'g', producerId, producerEpoch, [{ topic: 'in', partition: 0, offset: 17, metadata: 'm' }]);
    expect(e.groups.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'in', partition: 0 }] })[0]!.offset).toBe(-1);
    await e.txns.endTxn('app', producerId, producerEpoch, true);
    expect(e.txns.describeTransaction('app')).toMatchObject({ state: 'CompleteCommit', partitions: [], startedAt: -1 });
    for (const p of [0, 1]) {
      const log = e.logs.partition('out', p);
      expect(log.lastStableOffset).toBe(log.highWatermark);
      expect(log.abortedTransactions(0, log.highWatermark)).toEqual([]);
      expect(committedValues(e.logs, 'out', p)).toEqual(['a', 'b']);
    }
    expect(e.appended.sort()).toEqual(['out-0', 'out-1']);
    expect(e.groups.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'in', partition: 0 }] })[0]).toMatchObject({ offset: 17, metadata: 'm' });
    // a retried commit succeeds; the opposite decision does not
    await e.txns.endTxn('app', producerId, producerEpoch, true);
    await expect(e.txns.endTxn('app', producerId, producerEpoch, false)).rejects.toThrow(InvalidTxnStateError);
  });

  it('abort: the transaction is in the aborted index and its offsets are dropped', async () => {
    const { producerId, producerEpoch } = await beginWithData('app', ['x']);
    await e.txns.addOffsetsToTxn('app', producerId, producerEpoch, 'g');
    await e.txns.txnOffsetCommit('app', 'g', producerId, producerEpoch, [{ topic: 'in', partition: 0, offset: 5 }]);
    await e.txns.endTxn('app', producerId, producerEpoch, false);
    const log = e.logs.partition('out', 0);
    expect(log.lastStableOffset).toBe(2);
    expect(log.abortedTransactions(0, 2)).toEqual([{ producerId, firstOffset: 0 }]);
    expect(committedValues(e.logs, 'out', 0)).toEqual([]);
    expect(e.groups.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'in', partition: 0 }] })[0]!.offset).toBe(-1);
    expect(e.txns.describeTransaction('app')!.state).toBe('CompleteAbort');
    // the next transaction of the same producer commits normally after the aborted one
    await e.txns.addPartitionsToTxn('app', producerId, producerEpoch, [{ topic: 'out', partition: 0 }]);
    await log.append(txnBatch(producerId, producerEpoch, 1, ['y']));
    await e.txns.endTxn('app', producerId, producerEpoch, true);
    expect(committedValues(e.logs, 'out', 0)).toEqual(['y']);
  });

  it('group commits through commitTransactionalOffsets do not disturb an active group', async () => {
    const { producerId, producerEpoch } = await beginWithData('app', ['x']);
    await e.txns.addOffsetsToTxn('app', producerId, producerEpoch, 'g');
    await e.txns.txnOffsetCommit('app', 'g', producerId, producerEpoch, [{ topic: 'in', partition: 1, offset: 9 }]);
    await e.txns.endTxn('app', producerId, producerEpoch, true);
    expect(e.groups.describeGroup('g').state).toBe('Empty');
    expect(e.groups.fetchOffsets({ groupId: 'g' })).toEqual([{ topic: 'in', partition: 1, offset: 9, metadata: null }]);
  });

  it('InitProducerId of a known id aborts the open transaction and fences the old producer', async () => {
    const old = await beginWithData('app', ['lost']);
    const fresh = await e.txns.initProducerId('app', 60_000);
    expect(fresh.producerId).toBe(old.producerId);
    expect(fresh.producerEpoch).toBeGreaterThan(old.producerEpoch);
    const log = e.logs.partition('out', 0);
    expect(log.abortedTransactions(0, log.highWatermark)).toEqual([{ producerId: old.producerId, firstOffset: 0 }]);
    expect(log.lastStableOffset).toBe(log.highWatermark);
    await expect(e.txns.addPartitionsToTxn('app', old.producerId, old.producerEpoch, [{ topic: 'out', partition: 0 }])).rejects.toThrow(ProducerFencedError);
    await expect(e.txns.endTxn('app', old.producerId, old.producerEpoch, true)).rejects.toThrow(ProducerFencedError);
    await expect(log.append(txnBatch(old.producerId, old.producerEpoch, 1, ['zombie']))).rejects.toMatchObject({ code: 'INVALID_PRODUCER_EPOCH' });
    expect(e.txns.describeTransaction('app')).toMatchObject({ state: 'Empty', producerEpoch: fresh.producerEpoch });
    const other = await e.txns.initProducerId('other', 1_000);
    expect(other.producerId).not.toBe(fresh.producerId);
    expect(e.txns.listTransactions().sort()).toEqual(['app', 'other']);
  });

  it('a transaction older than its timeout is aborted with an epoch bump; the old producer is fenced', async () => {
    const ids = await e.txns.initProducerId('slow', 5_000);
    await e.txns.addPartitionsToTxn('slow', ids.producerId, ids.producerEpoch, [{ topic: 'out', partition: 0 }]);
    await e.logs.partition('out', 0).append(txnBatch(ids.producerId, ids.producerEpoch, 0, ['late']));
    clock.advance(4_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(e.txns.describeTransaction('slow')!.state).toBe('Ongoing');
    clock.advance(2_000);
    await until(() => e.txns.describeTransaction('slow')!.state === 'CompleteAbort');
    expect(e.txns.describeTransaction('slow')!.producerEpoch).toBe(ids.producerEpoch + 1);
    const log = e.logs.partition('out', 0);
    expect(log.abortedTransactions(0, log.highWatermark)).toEqual([{ producerId: ids.producerId, firstOffset: 0 }]);
    expect(log.lastStableOffset).toBe(log.highWatermark);
    await expect(e.txns.endTxn('slow', ids.producerId, ids.producerEpoch, true)).rejects.toThrow(ProducerFencedError);
    await expect(log.append(txnBatch(ids.producerId, ids.producerEpoch, 1, ['zombie']))).rejects.toMatchObject({ code: 'INVALID_PRODUCER_EPOCH' });
  });

  it('refuses unknown ids, wrong producer ids, bad timeouts, unknown partitions and calls in the wrong state', async () => {
    await expect(e.txns.addPartitionsToTxn('nope', 1, 0, [])).rejects.toThrow(InvalidProducerIdMappingError);
    await expect(e.txns.initProducerId('app', 0)).rejects.toThrow(InvalidTransactionTimeoutError);
    await expect(e.txns.initProducerId('app', 900_001)).rejects.toThrow(InvalidTransactionTimeoutError);
    const { producerId, producerEpoch } = await e.txns.initProducerId('app', 60_000);
    await expect(e.txns.endTxn('app', producerId + 1, producerEpoch, true)).rejects.toThrow(InvalidProducerIdMappingError);
    await expect(e.txns.endTxn('app', producerId, producerEpoch, true)).rejects.toThrow(InvalidTxnStateError);
    await expect(e.txns.txnOffsetCommit('app', 'g', producerId, producerEpoch, [{ topic: 'in', partition: 0, offset: 1 }])).rejects.toThrow(
      InvalidTxnStateError,
    );
    await expect(e.txns.addPartitionsToTxn('app', producerId, producerEpoch, [{ topic: 'missing', partition: 0 }])).rejects.toThrow(
      UnknownTopicOrPartitionError,
    );
    await expect(e.txns.addPartitionsToTxn('app', producerId, producerEpoch, [{ topic: 'out', partition: 2 }])).rejects.toThrow(
      UnknownTopicOrPartitionError,
    );
    expect(e.txns.describeTransaction('app')!.state).toBe('Empty');
    const error = new ConcurrentTransactionsError('x');
    expect(error.retriable).toBe(true);
    expect(error.code).toBe('CONCURRENT_TRANSACTIONS');
  });

  it('keeps state across reopen; an Ongoing transaction stays Ongoing and times out later', async () => {
    const done = await beginWithData('done', ['c']);
    await e.txns.endTxn('done', done.producerId, done.producerEpoch, true);
    const open = await beginWithData('open', ['o']);
    await closeEngine(e);
    e = await openEngine(dir, clock);
    expect(e.txns.describeTransaction('done')).toMatchObject({ state: 'CompleteCommit', producerId: done.producerId, producerEpoch: done.producerEpoch });
    expect(e.txns.describeTransaction('open')).toMatchObject({
      state: 'Ongoing',
      producerId: open.producerId,
      partitions: [
        { topic: 'out', partition: 0 },
        { topic: 'out', partition: 1 },
      ],
      startedAt: 1_000_000,
    });
    expect(e.logs.partition('out', 0).lastStableOffset).toBe(2);
    const again = await e.txns.initProducerId('done', 60_000);
    expect(again).toEqual({ producerId: done.producerId, producerEpoch: done.producerEpoch + 1 });
    clock.advance(61_000);
    await until(() => e.txns.describeTransaction('open')!.state === 'CompleteAbort');
    expect(e.logs.partition('out', 0).lastStableOffset).toBe(e.logs.partition('out', 0).highWatermark);
  });

  it('gives a new producer id when the epoch would overflow', async () => {
    const { producerId } = await e.txns.initProducerId('old', 60_000);
    await closeEngine(e);
    e = await openEngine(dir, clock);
    const meta = decodeTransactionState('old', encodeTransactionState({
      transactionalId: 'old', producerId, producerEpoch: 32_766, timeoutMs: 60_000, state: 'Empty',
      partitions: new Map(), pendingOffsets: new Map(), startedAt: -1, updatedAt: 1,
    }));
    await e.logs.partition(TRANSACTION_STATE_TOPIC, 0).append(
      encodeRecordBatch([{ key: Buffer.from('old'), value: encodeTransactionState(meta), timestamp: 1 }]),
    );
    await closeEngine(e);
    e = await openEngine(dir, clock);
    expect(e.txns.describeTransaction('old')!.producerEpoch).toBe(32_766);
    const next = await e.txns.initProducerId('old', 60_000);
    expect(next.producerId).not.toBe(producerId);
    expect(next.producerEpoch).toBe(0);
  });
});

describe('core/log/transaction-coordinator after SIGKILL', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('txn-coordinator-crash');
  });
  afterEach(() => removeDir(dir));

  function runUntil(mode: 'prepare' | 'ongoing'): Promise<{ producerId: number; producerEpoch: number }> {
    return new Promise((resolve, reject) => {
      const fixture = path.join(repoRoot, 'test/fixtures/txn-coordinator-until-killed.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, mode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let stderr = '';
      let ids = { producerId: -1, producerEpoch: -1 };
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ids (\d+) (\d+)/.exec(out);
        if (m) ids = { producerId: Number(m[1]), producerEpoch: Number(m[2]) };
        if (out.includes(mode === 'prepare' ? 'prepared\n' : 'ongoing\n')) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(ids) : reject(new Error(`child exited: ${stderr}`))));
    });
  }

  it('kills at arbitrary points of a transaction loop leave every transaction all-or-nothing, offsets with their data', { timeout: 60_000 }, async () => {
    for (const killAfter of [3, 17, 40]) {
      const run = path.join(dir, `loop-${killAfter}`);
      const done = await new Promise<number>((resolve, reject) => {
        const fixture = path.join(repoRoot, 'test/fixtures/txn-loop-until-killed.ts');
        const child = spawn(process.execPath, ['--import', 'tsx', fixture, run], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
        let last = -1;
        let stderr = '';
        let killing = false;
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/done (\d+)/g)) last = Math.max(last, Number(m[1]));
          if (last >= killAfter && !killing) {
            killing = true;
            // a little later, wherever the loop is by then
            setTimeout(() => child.kill('SIGKILL'), killAfter % 7);
          }
        });
        child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited: ${stderr}`))));
      });
      const clock = new ManualClock(systemClock.now());
      const e = await openEngine(run, clock);
      try {
        clock.advance(61_000); // an Ongoing transaction left by the kill times out
        await until(() => ['CompleteCommit', 'CompleteAbort'].includes(e.txns.describeTransaction('loop')!.state));
        const p0 = committedValues(e.logs, 'out', 0);
        const p1 = committedValues(e.logs, 'out', 1);
        expect(p1).toEqual(p0);
        const seen = p0.map((v) => Number(v.slice(1)));
        const lastSeen = seen.length === 0 ? -1 : seen[seen.length - 1]!;
        // committed transactions in order, none aborted, every acknowledged commit present
        expect(seen).toEqual(Array.from({ length: lastSeen + 1 }, (_, i) => i).filter((i) => i % 5 !== 4));
        expect(lastSeen).toBeGreaterThanOrEqual(done % 5 === 4 ? done - 1 : done);
        expect(lastSeen).toBeLessThanOrEqual(done + 1);
        const offset = e.groups.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'in', partition: 0 }] })[0]!.offset;
        expect(offset).toBe(lastSeen + 1);
        for (const p of [0, 1]) expect(e.logs.partition('out', p).lastStableOffset).toBe(e.logs.partition('out', p).highWatermark);
      } finally {
        await closeEngine(e);
      }
    }
  });

  it('a coordinator killed after PrepareCommit finishes markers and offsets on start', { timeout: 30_000 }, async () => {
    const ids = await runUntil('prepare');
    const e = await openEngine(dir, systemClock);
    try {
      expect(e.txns.describeTransaction('app-0')).toMatchObject({ state: 'CompleteCommit', producerId: ids.producerId });
      for (const p of [0, 1]) {
        const log = e.logs.partition('out', p);
        expect(log.lastStableOffset).toBe(log.highWatermark);
        expect(committedValues(e.logs, 'out', p)).toEqual([`v${p}`]);
      }
      expect(e.groups.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'in', partition: 0 }] })[0]!.offset).toBe(42);
    } finally {
      await closeEngine(e);
    }
  });

  it('a coordinator killed while Ongoing keeps the transaction open until its timeout aborts it', { timeout: 30_000 }, async () => {
    const ids = await runUntil('ongoing');
    const clock = new ManualClock(systemClock.now());
    const e = await openEngine(dir, clock);
    try {
      expect(e.txns.describeTransaction('app-0')).toMatchObject({ state: 'Ongoing', producerId: ids.producerId, producerEpoch: ids.producerEpoch });
      expect(e.logs.partition('out', 0).lastStableOffset).toBe(0);
      expect(committedValues(e.logs, 'out', 0)).toEqual([]);
      clock.advance(61_000);
      await until(() => e.txns.describeTransaction('app-0')!.state === 'CompleteAbort');
      for (const p of [0, 1]) {
        const log = e.logs.partition('out', p);
        expect(log.lastStableOffset).toBe(log.highWatermark);
        expect(log.abortedTransactions(0, log.highWatermark)).toEqual([{ producerId: ids.producerId, firstOffset: 0 }]);
      }
      expect(e.groups.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'in', partition: 0 }] })[0]!.offset).toBe(-1);
      await expect(e.txns.endTxn('app-0', ids.producerId, ids.producerEpoch, true)).rejects.toThrow(ProducerFencedError);
    } finally {
      await closeEngine(e);
    }
  });
});
