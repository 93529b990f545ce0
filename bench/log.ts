/**
 * Log engine benchmark: append and read throughput through the public kafkajs-shaped producer and
 * consumer (values as Buffers, 1,000 messages per send, consumed with eachBatch), next to a raw
 * sequential file write and read of the same bytes in the same run (the physical limit), and
 * produce-to-consume latency at a fixed rate. Flush policy: the default ('os', as Kafka).
 */
import { closeSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../core/clients/embedded/embedded-log.ts';
import { percentile, printJson, printTable } from './report.ts';

const RECORDS_100 = Number(process.env.BENCH_RECORDS ?? 3_000_000);
const RECORDS_1K = Math.round(RECORDS_100 / 6);
const PER_SEND = 1000;
const LATENCY_RATE = 50_000;
const LATENCY_SECONDS = 4;

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-log-'));
const log = await EmbeddedLog.open({ dir });
const admin = log.admin();
await admin.connect();
await admin.createTopics({
  topics: [
    { topic: 'bench-100', numPartitions: 1 },
    { topic: 'bench-1k', numPartitions: 1 },
    { topic: 'bench-latency', numPartitions: 1 },
  ],
});
const producer = log.producer();
await producer.connect();

function messagesOf(valueSize: number): { value: Buffer }[] {
  const pool = randomBytes(valueSize * PER_SEND);
  return Array.from({ length: PER_SEND }, (_, i) => ({ value: pool.subarray(i * valueSize, (i + 1) * valueSize) }));
}

async function append(topic: string, valueSize: number, total: number): Promise<{ perSec: number; mbps: number; seconds: number }> {
  const messages = messagesOf(valueSize);
  const sends = Math.ceil(total / PER_SEND);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < sends; i++) await producer.send({ topic, messages });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const records = sends * PER_SEND;
  return { perSec: records / seconds, mbps: (records * valueSize) / seconds / 1e6, seconds };
}

function partitionFiles(topic: string): string[] {
  const pdir = join(dir, `${topic}-0`);
  return readdirSync(pdir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => join(pdir, f));
}

function bytesOnDisk(topic: string): number {
  return partitionFiles(topic).reduce((sum, f) => sum + statSync(f).size, 0);
}

/** Sequential write of `bytes` in 1 MiB chunks with writeSync: what the file system gives one writer. */
function rawWrite(bytes: number): number {
  const chunk = randomBytes(1 << 20);
  const file = join(dir, 'raw-write.bin');
  const fd = openSync(file, 'w');
  const t0 = process.hrtime.bigint();
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(fd);
  rmSync(file);
  return bytes / seconds / 1e6;
}

/** Sequential read of the topic's segment files in 1 MiB chunks (page cache, like the consumer). */
function rawRead(topic: string): number {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (const file of partitionFiles(topic)) {
    const fd = openSync(file, 'r');
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      bytes += n;
    }
    closeSync(fd);
  }
  return bytes / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e6;
}

async function consumeAll(topic: string, expected: number): Promise<{ perSec: number; mbps: number }> {
  const consumer = log.consumer({ groupId: `bench-read-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  let t0 = 0n;
  const done = new Promise<bigint>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (t0 === 0n) t0 = process.hrtime.bigint();
        const msgs = batch.messages;
        for (let i = 0; i < msgs.length; i++) bytes += msgs[i]!.value!.length;
        seen += msgs.length;
        if (seen >= expected) resolve(process.hrtime.bigint());
      },
    });
  });
  const t1 = await done;
  await consumer.disconnect();
  const seconds = Number(t1 - t0) / 1e9;
  return { perSec: seen / seconds, mbps: bytes / seconds / 1e6 };
}

async function latency(): Promise<{ p50: number; p99: number; p999: number; max: number; samples: number }> {
  const topic = 'bench-latency';
  const consumer = log.consumer({ groupId: 'bench-latency', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const total = LATENCY_RATE * LATENCY_SECONDS;
  const samples = new Float64Array(total);
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const m of batch.messages) {
          if (seen < total) samples[seen++] = now - m.value!.readDoubleLE(0);
        }
        if (seen >= total) resolve();
      },
    });
  });
  await new Promise((r) => setTimeout(r, 300)); // let the consumer join and start waiting
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * LATENCY_RATE));
    if (due > sent) {
      const n = due - sent;
      const messages = new Array<{ value: Buffer }>(n);
      const now = performance.now();
      for (let i = 0; i < n; i++) {
        const value = Buffer.allocUnsafe(100);
        value.writeDoubleLE(now, 0);
        messages[i] = { value };
      }
      await producer.send({ topic, messages });
      sent = due;
    } else {
      await new Promise((r) => setImmediate(r));
    }
  }
  await done;
  await consumer.disconnect();
  const sorted = samples.subarray(0, seen).sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1]!,
    samples: seen,
  };
}

// Warm up the code paths (JIT) on a throwaway topic before measuring.
await admin.createTopics({ topics: [{ topic: 'bench-warmup', numPartitions: 1 }] });
await append('bench-warmup', 100, 200_000);
await consumeAll('bench-warmup', 200_000);

const a100 = await append('bench-100', 100, RECORDS_100);
const a1k = await append('bench-1k', 1024, RECORDS_1K);
const bytes1k = bytesOnDisk('bench-1k');
const rawWriteMBps = rawWrite(bytes1k);
const read = await consumeAll('bench-100', Math.ceil(RECORDS_100 / PER_SEND) * PER_SEND);
const rawReadMBps = rawRead('bench-100');
const lat = await latency();

await producer.disconnect();
await admin.disconnect();
await log.close();
rmSync(dir, { recursive: true, force: true });

printTable('Append through producer.send (1,000 messages per send, 1 partition, flush policy os)', [
  { name: 'append 100 B', 'records/s': Math.round(a100.perSec), 'MB/s': a100.mbps, 'target': '>= 2,000,000 rec/s' },
  { name: 'append 1 KiB', 'records/s': Math.round(a1k.perSec), 'MB/s': a1k.mbps, 'target': '>= 50% raw write' },
  { name: 'raw sequential write (same bytes)', 'records/s': '', 'MB/s': rawWriteMBps, 'target': 'physical limit' },
  { name: 'append 1 KiB / raw write', 'records/s': '', 'MB/s': `${((a1k.mbps / rawWriteMBps) * 100).toFixed(1)}%`, 'target': '' },
]);
printTable('Read through consumer eachBatch', [
  { name: 'consume 100 B', 'records/s': Math.round(read.perSec), 'MB/s': read.mbps, 'target': '>= 4,000,000 rec/s' },
  { name: 'raw sequential read (segment files)', 'records/s': '', 'MB/s': rawReadMBps, 'target': 'physical limit' },
]);
printTable(`Produce-to-consume latency at ${LATENCY_RATE.toLocaleString('en-US')} records/s`, [
  { name: 'latency', samples: lat.samples, 'p50 ms': lat.p50, 'p99 ms': lat.p99, 'p99.9 ms': lat.p999, 'max ms': lat.max, target: 'p99 <= 5 ms' },
]);
printJson({
  bench: 'log',
  append100RecordsPerSec: Math.round(a100.perSec),
  append100MBps: Number(a100.mbps.toFixed(1)),
  append1kRecordsPerSec: Math.round(a1k.perSec),
  append1kMBps: Number(a1k.mbps.toFixed(1)),
  rawWriteMBps: Number(rawWriteMBps.toFixed(1)),
  append1kOfRawWrite: Number((a1k.mbps / rawWriteMBps).toFixed(3)),
  readRecordsPerSec: Math.round(read.perSec),
  readMBps: Number(read.mbps.toFixed(1)),
  rawReadMBps: Number(rawReadMBps.toFixed(1)),
  latencyP50Ms: Number(lat.p50.toFixed(3)),
  latencyP99Ms: Number(lat.p99.toFixed(3)),
  latencyRate: LATENCY_RATE,
});
