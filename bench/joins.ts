/**
 * Joins benchmark, end to end on the embedded log (fetch, deserialize, join with LMDB stores, changelogs
 * and output append, commit with checkpoint), 100-byte values, 2 partitions:
 * - stream-stream inner join, 1-second window: every left record finds one right record (same key,
 *   1 ms apart); both sides' window stores changelogged;
 * - stream-table join: a stream over a 10,000-row table loaded first;
 * - table-table join (primary key): two tables updated over 10,000 keys;
 * - foreign-key table join: orders (distinct keys) naming one of 10,000 customers.
 * A run is timed from `start()` until every input record, and every record of the internal topics it
 * caused, is processed and committed. records/s = input records / time.
 *
 * BENCH_RECORDS (default 1,000,000) sets the input records per run (stream-stream: half per side;
 * table-table: half per table); BENCH_ONLY=streamStream,streamTable,tableTable,foreignKey a subset;
 * BENCH_STORE=memory uses in-memory stores instead of LMDB; BENCH_COMMIT_MS sets every run's commit interval
 * (default: 100 ms for the stream joins, 1000 ms for the table joins).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../core/runtime/tributary-streams.ts';
import type { PhysicalTopology } from '../core/topology/physical-topology.ts';
import { Serdes } from '../core/serde/serdes.ts';
import { Stores } from '../state-stores/stores.ts';
import { JoinWindows } from '../operators/join-windows.ts';
import { StreamsBuilder } from '../operators/streams-builder.ts';
import { printJson, printTable } from './report.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const ONLY = process.env.BENCH_ONLY?.split(',') ?? null;
const KIND: 'lmdb' | 'memory' = process.env.BENCH_STORE === 'memory' ? 'memory' : 'lmdb';
const PARTITIONS = 2;
const KEYS = 10_000;
/**
 * Commit intervals: the stream joins have no cache, and frequent checkpoints keep the LMDB pending
 * overlays their window-store range scans merge small (100 ms: Kafka's exactly-once default); the
 * table joins forward through their stores' caches, which deduplicate more over 1 s.
 */
const STREAM_COMMIT_MS = Number(process.env.BENCH_COMMIT_MS ?? 100);
const TABLE_COMMIT_MS = Number(process.env.BENCH_COMMIT_MS ?? 1000);
/** Recent event times: the embedded log deletes segments older than its 7-day retention. */
const BASE_TS = Date.now() - 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-joins-'));
const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
const admin = log.admin();
await admin.connect();
const producer = log.producer();
await producer.connect();
const str = Serdes.string();

/** A 100-character value (100 bytes in UTF-8) starting with `prefix`. */
function value100(prefix: string): string {
  return prefix.padEnd(100, '.');
}

async function createTopics(...topics: string[]): Promise<void> {
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })) });
}

/** Produces `n` records `key(i)` -> `value(i)` at `ts(i)`, in batches. */
async function produce(topic: string, n: number, key: (i: number) => string, value: (i: number) => string, ts: (i: number) => number): Promise<void> {
  for (let i = 0; i < n; i += 10_000) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) messages.push({ key: key(j), value: value(j), timestamp: String(ts(j)) });
    await producer.send({ topic, messages });
  }
}

/** Whether every source topic of the run (inputs and internal topics but changelogs) is committed to its end. */
async function allCommitted(applicationId: string, inputs: readonly string[], lastHigh: Map<string, string>): Promise<boolean> {
  const internal = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`) && !t.endsWith('-changelog'));
  let done = true;
  for (const topic of [...inputs, ...internal]) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: applicationId, topics: [topic] });
    const at = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
    for (const p of ends) {
      const id = `${topic}:${p.partition}`;
      if (lastHigh.get(id) !== p.high) done = false;
      lastHigh.set(id, p.high);
      if (p.high !== '0' && at.get(p.partition) !== p.high) done = false;
    }
  }
  return done;
}

/** CPU seconds (user + system) of this process during the last {@link run}: steadier than records/s on a loaded machine. */
let lastCpuSeconds = 0;

/** Runs an application until its inputs and internal topics are processed and committed; input records/s. */
async function run(applicationId: string, topology: PhysicalTopology, inputs: readonly string[], inputRecords: number, commitIntervalMs: number): Promise<number> {
  const app = new TributaryStreams(topology, {
    applicationId,
    log: { client: log },
    stateDir: join(dir, 'state'),
    commitIntervalMs,
    maxBufferedRecordsPerPartition: 10_000,
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await app.start();
  const lastHigh = new Map<string, string>();
  for (;;) {
    if (app.metricsSnapshot().recordsProcessed >= inputRecords) {
      await app.commit();
      if (await allCommitted(applicationId, inputs, lastHigh)) break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lastCpuSeconds = (cpu.user + cpu.system) / 1e6;
  await app.close();
  return inputRecords / seconds;
}

const rows: { name: string; 'records/s': number | string; note: string }[] = [];
const figures: Record<string, number | string> = {};
const want = (name: string): boolean => ONLY === null || ONLY.includes(name);
const hasWindowStores = typeof (Stores as unknown as { windowStoreBuilder?: unknown }).windowStoreBuilder === 'function';

if (want('streamStream')) {
  if (!hasWindowStores) {
    rows.push({ name: 'stream-stream inner join, 1 s window', 'records/s': 'n/a', note: 'state-stores has no window stores yet' });
  } else {
    const half = Math.floor(RECORDS / 2);
    await createTopics('ss-left', 'ss-right', 'ss-out');
    const v = value100('L');
    const w = value100('R');
    await produce('ss-left', half, (i) => `k${i % KEYS}`, () => v, (i) => BASE_TS + i);
    await produce('ss-right', half, (i) => `k${i % KEYS}`, () => w, (i) => BASE_TS + i + 1);
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('ss-left', { keySerde: str, valueSerde: str });
    const right = b.stream<string, string>('ss-right', { keySerde: str, valueSerde: str });
    left.join(right, (l) => l, JoinWindows.ofTimeDifferenceWithNoGrace('1s'), { name: 'ss', kind: KIND }).to('ss-out', { keySerde: str, valueSerde: str });
    figures.streamStreamPerSec = Math.round(await run('bench-ss', b.build(), ['ss-left', 'ss-right'], 2 * half, STREAM_COMMIT_MS));
    figures.streamStreamCpuSec = Math.round(lastCpuSeconds * 100) / 100;
    rows.push({
      name: 'stream-stream inner join, 1 s window',
      'records/s': figures.streamStreamPerSec,
      note: `target >= 100,000; commit ${STREAM_COMMIT_MS} ms; ${figures.streamStreamCpuSec} CPU s`,
    });
  }
}

if (want('streamTable')) {
  await createTopics('st-table', 'st-stream', 'st-out');
  const tv = value100('T');
  const sv = value100('S');
  await produce('st-table', KEYS, (i) => `k${i}`, () => tv, (i) => BASE_TS + i);
  await produce('st-stream', RECORDS, (i) => `k${i % KEYS}`, () => sv, (i) => BASE_TS + KEYS + i);
  const b = new StreamsBuilder();
  const table = b.table<string, string>('st-table', { keySerde: str, valueSerde: str, kind: KIND });
  b.stream<string, string>('st-stream', { keySerde: str, valueSerde: str })
    .join(table, (s) => s)
    .to('st-out', { keySerde: str, valueSerde: str });
  figures.streamTablePerSec = Math.round(await run('bench-st', b.build(), ['st-table', 'st-stream'], RECORDS + KEYS, STREAM_COMMIT_MS));
  rows.push({ name: 'stream-table join, 10k-row table', 'records/s': figures.streamTablePerSec, note: `target >= 300,000; commit ${STREAM_COMMIT_MS} ms` });
}

if (want('tableTable')) {
  const half = Math.floor(RECORDS / 2);
  await createTopics('tt-left', 'tt-right', 'tt-out');
  const lv = value100('L');
  const rv = value100('R');
  await produce('tt-left', half, (i) => `k${i % KEYS}`, () => lv, (i) => BASE_TS + 2 * i);
  await produce('tt-right', half, (i) => `k${i % KEYS}`, () => rv, (i) => BASE_TS + 2 * i + 1);
  const b = new StreamsBuilder();
  const left = b.table<string, string>('tt-left', { keySerde: str, valueSerde: str, kind: KIND });
  const right = b.table<string, string>('tt-right', { keySerde: str, valueSerde: str, kind: KIND });
  left.join(right, (l) => l).toStream().to('tt-out', { keySerde: str, valueSerde: str });
  figures.tableTablePerSec = Math.round(await run('bench-tt', b.build(), ['tt-left', 'tt-right'], 2 * half, TABLE_COMMIT_MS));
  rows.push({ name: 'table-table join, 10k keys (caching on)', 'records/s': figures.tableTablePerSec, note: `commit ${TABLE_COMMIT_MS} ms` });
}

if (want('foreignKey')) {
  await createTopics('fk-customers', 'fk-orders', 'fk-out');
  const cv = value100('customer');
  await produce('fk-customers', KEYS, (i) => `c${String(i).padStart(7, '0')}`, () => cv, (i) => BASE_TS + i);
  await produce('fk-orders', RECORDS, (i) => `o${i}`, (i) => value100(`c${String(i % KEYS).padStart(7, '0')}|order`), (i) => BASE_TS + KEYS + i);
  const b = new StreamsBuilder();
  const customers = b.table<string, string>('fk-customers', { keySerde: str, valueSerde: str, kind: KIND });
  const orders = b.table<string, string>('fk-orders', { keySerde: str, valueSerde: str, kind: KIND });
  orders
    .join(customers, (order) => order.slice(0, 8), (order) => order)
    .toStream()
    .to('fk-out', { keySerde: str, valueSerde: str });
  figures.foreignKeyPerSec = Math.round(await run('bench-fk', b.build(), ['fk-customers', 'fk-orders'], RECORDS + KEYS, TABLE_COMMIT_MS));
  rows.push({ name: 'foreign-key join, orders -> 10k customers', 'records/s': figures.foreignKeyPerSec, note: `commit ${TABLE_COMMIT_MS} ms` });
}

await producer.disconnect();
await admin.disconnect();
await log.close();
rmSync(dir, { recursive: true, force: true });

printTable(`joins, ${RECORDS.toLocaleString('en-US')} input records per run, ${PARTITIONS} partitions, ${KIND} stores, 100-byte values, embedded log`, rows);
printJson({
  bench: 'joins',
  records: RECORDS,
  store: KIND,
  streamCommitMs: STREAM_COMMIT_MS,
  tableCommitMs: TABLE_COMMIT_MS,
  streamStreamPerSec: figures.streamStreamPerSec ?? 'n/a',
  streamStreamCpuSec: figures.streamStreamCpuSec ?? 'n/a',
  streamTablePerSec: figures.streamTablePerSec ?? 'n/a',
  tableTablePerSec: figures.tableTablePerSec ?? 'n/a',
  foreignKeyPerSec: figures.foreignKeyPerSec ?? 'n/a',
});
