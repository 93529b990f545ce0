/**
 * Transactions benchmark, at the log engine (LogManager + GroupCoordinator + TransactionCoordinator, flush
 * policy 'os' as Kafka): append throughput of 100-byte records in transactions of 1,000 and 10,000
 * records (AddPartitionsToTxn, 1,000-record transactional batches, EndTxn commit: PrepareCommit fsynced,
 * marker, CompleteCommit) next to plain idempotent appends of the same batches in the same run, as a
 * ratio; and a read_committed scan of the committed data next to a read_uncommitted one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogManager } from '../core/log/log-manager.ts';
import { GroupCoordinator } from '../core/log/group-coordinator.ts';
import { TransactionCoordinator } from '../core/log/transaction-coordinator.ts';
import { crc32c } from '../core/log/crc32c.ts';
import { encodeRecordBatch, forEachBatch } from '../core/log/record-batch.ts';
import type { IsolationLevel } from '../core/log/log-contracts.ts';
import { systemClock } from '../core/time/clock.ts';
import { printJson, printTable, type BenchRow } from './report.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 2_000_000);
const PER_BATCH = 1000;
const VALUE_BYTES = 100;

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-txn-'));
const logs = await LogManager.open({ dir, clock: systemClock });
const groups = new GroupCoordinator({ logManager: logs, clock: systemClock });
await groups.start();
const txns = new TransactionCoordinator({ logManager: logs, groups, clock: systemClock });
await txns.start();

/** One 1,000-record batch of `producerId`; {@link withSequence} restamps its sequence and CRC per append. */
function templateBatch(producerId: number, producerEpoch: number, transactional: boolean): Buffer {
  const pool = randomBytes(VALUE_BYTES * PER_BATCH);
  const records = Array.from({ length: PER_BATCH }, (_, i) => ({
    key: null,
    value: pool.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES),
    timestamp: systemClock.now(),
  }));
  return encodeRecordBatch(records, { producerId, producerEpoch, baseSequence: 0, isTransactional: transactional });
}

function withSequence(batch: Buffer, sequence: number): Buffer {
  batch.writeInt32BE(sequence, 53);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

async function idempotent(topic: string): Promise<number> {
  await logs.createTopic(topic, { numPartitions: 1 });
  const log = logs.partition(topic, 0);
  const batch = templateBatch(logs.allocateProducerId(), 0, false);
  const batches = RECORDS / PER_BATCH;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < batches; i++) await log.append(withSequence(batch, i * PER_BATCH));
  return RECORDS / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function transactional(topic: string, perTxn: number): Promise<{ perSec: number; txnPerSec: number }> {
  await logs.createTopic(topic, { numPartitions: 1 });
  const log = logs.partition(topic, 0);
  const id = `bench-${topic}`;
  const { producerId, producerEpoch } = await txns.initProducerId(id, 60_000);
  const batch = templateBatch(producerId, producerEpoch, true);
  const count = RECORDS / perTxn;
  const tp = [{ topic, partition: 0 }];
  let sequence = 0;
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < count; t++) {
    await txns.addPartitionsToTxn(id, producerId, producerEpoch, tp);
    for (let b = 0; b < perTxn / PER_BATCH; b++) {
      await log.append(withSequence(batch, sequence));
      sequence += PER_BATCH;
    }
    await txns.endTxn(id, producerId, producerEpoch, true);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: RECORDS / seconds, txnPerSec: count / seconds };
}

/** Records per second of a full scan with the given isolation (read_committed also asks for aborted txns). */
function scan(topic: string, isolation: IsolationLevel): number {
  const log = logs.partition(topic, 0);
  let offset = 0;
  let records = 0;
  const t0 = process.hrtime.bigint();
  while (offset < log.highWatermark) {
    const { records: bytes, lastStableOffset } = log.read(offset, 1 << 20, { isolation });
    if (isolation === 'read_committed') log.abortedTransactions(offset, lastStableOffset);
    let next = offset;
    forEachBatch(bytes, (_p, h) => {
      if (!h.isControl) records += h.recordCount;
      next = h.lastOffset + 1;
    });
    if (next === offset) break;
    offset = next;
  }
  return records / (Number(process.hrtime.bigint() - t0) / 1e9);
}

try {
  // Two rounds, best of each (the first round also warms up the JIT and the page cache).
  const plain = [await idempotent('idempotent-a')];
  const txn1k = [await transactional('txn-1k-a', 1000)];
  const txn10k = [await transactional('txn-10k-a', 10_000)];
  plain.push(await idempotent('idempotent-b'));
  txn1k.push(await transactional('txn-1k-b', 1000));
  txn10k.push(await transactional('txn-10k-b', 10_000));
  const uncommittedRuns = [scan('txn-1k-a', 'read_uncommitted')];
  const committedRuns = [scan('txn-1k-a', 'read_committed')];
  uncommittedRuns.push(scan('txn-1k-a', 'read_uncommitted'));
  committedRuns.push(scan('txn-1k-a', 'read_committed'));
  const base = Math.max(...plain);
  const best1k = txn1k.reduce((a, b) => (b.perSec > a.perSec ? b : a));
  const best10k = txn10k.reduce((a, b) => (b.perSec > a.perSec ? b : a));
  const uncommitted = Math.max(...uncommittedRuns);
  const committed = Math.max(...committedRuns);
  const rows: BenchRow[] = [
    { name: 'idempotent append (1,000-record batches)', 'records/s': Math.round(base), ratio: 1 },
    { name: 'transactions of 1,000 records', 'records/s': Math.round(best1k.perSec), 'txn/s': Math.round(best1k.txnPerSec), ratio: best1k.perSec / base },
    { name: 'transactions of 10,000 records', 'records/s': Math.round(best10k.perSec), 'txn/s': Math.round(best10k.txnPerSec), ratio: best10k.perSec / base },
    { name: 'scan read_uncommitted (txn-1k)', 'records/s': Math.round(uncommitted), ratio: 1 },
    { name: 'scan read_committed (txn-1k)', 'records/s': Math.round(committed), ratio: committed / uncommitted },
  ];
  printTable(`Transactions, ${RECORDS.toLocaleString('en-US')} records of ${VALUE_BYTES} bytes per case, best of 2 (flush policy os)`, rows);
  printJson({
    bench: 'transactions',
    records: RECORDS,
    idempotentPerSec: Math.round(base),
    txn1kPerSec: Math.round(best1k.perSec),
    txn1kTxnPerSec: Math.round(best1k.txnPerSec),
    txn1kRatio: Number((best1k.perSec / base).toFixed(3)),
    txn10kPerSec: Math.round(best10k.perSec),
    txn10kTxnPerSec: Math.round(best10k.txnPerSec),
    txn10kRatio: Number((best10k.perSec / base).toFixed(3)),
    readCommittedRatio: Number((committed / uncommitted).toFixed(3)),
  });
} finally {
  await txns.close();
  await groups.close();
  await logs.close();
  rmSync(dir, { recursive: true, force: true });
}
