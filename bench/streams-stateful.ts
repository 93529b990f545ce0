/**
 * Stateful streams benchmark, end to end on the embedded log (fetch, deserialize, aggregate in a
 * cached + logged store, changelog and output append, commit with LMDB checkpoint):
 * - count by key over 10,000 keys (LMDB), and over 1,000,000 distinct keys (LMDB and in-memory);
 * - 1-minute tumbling windowed count over 10,000 keys;
 * - restore of a 1,000,000-entry changelog into a fresh LMDB store;
 * - peak RSS (process.resourceUsage().maxRSS) with the configured store cache (`cacheMaxBytes`), and
 *   its two parts sampled from /proc/self/status every 20 ms: peak RssAnon (the JS heap, Buffers,
 *   native allocations: what the cache bound must keep bounded) and peak RssFile (mapped file pages,
 *   mostly LMDB's memory-mapped data file: OS page cache the kernel can drop, so it grows with the
 *   data on disk, not with the process's own memory).
 * A run is timed from `start()` until every input record is processed and committed (commit included);
 * the table also shows the CPU seconds the run used (user + system of every thread, LMDB's included).
 * Each scenario runs in its own processes (this file re-executed with BENCH_SCENARIO): one writes the
 * input to the embedded log's directory, a fresh one runs the application over it, so each peak RSS is
 * the application's own (not the input producer's); `peakRssMB` is the largest among the LMDB scenarios.
 *
 * Memory bound: the claim checked is that peak RssAnon is bounded by the store cache plus a fixed
 * overhead, not by the number of keys. The fixed overhead is declared ({@link FIXED_OVERHEAD_MB}: the
 * runtime, V8's heap with its garbage headroom, the embedded log, LMDB's write buffers, record queues);
 * every LMDB run (counts over 10k, 100k and 1M keys, windowed, restore; same cache) must stay within
 * `cache + fixed overhead`, and the
 * 1M-key run within {@link KEY_GROWTH_LIMIT} of the 100k-key run (both outgrow the cache, 10x the keys);
 * the JSON has `rssAnon10kMB`, `rssAnon100kMB`, `rssAnon1mMB`, `memoryBoundMB` and `memoryBoundHolds`.
 *
 * BENCH_RECORDS (default 1,000,000) sets the records per run; BENCH_ONLY=count10k,windowed,... a subset;
 * BENCH_STATEFUL_PROF=<dir> runs each application process with `--cpu-prof` into that directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { EmbeddedLog } from '../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../core/runtime/tributary-streams.ts';
import type { RestoreProgress } from '../core/runtime/store-changelog-reader.ts';
import type { PhysicalTopology } from '../core/topology/physical-topology.ts';
import { Serdes } from '../core/serde/serdes.ts';
import { StreamsBuilder } from '../operators/streams-builder.ts';
import { TimeWindows } from '../operators/time-windows.ts';
import { WindowedSerdes } from '../operators/windowed-serdes.ts';
import { printJson, printTable } from './report.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const RESTORE_ENTRIES = Number(process.env.BENCH_RESTORE_ENTRIES ?? 1_000_000);
const ONLY = process.env.BENCH_ONLY?.split(',') ?? null;
const PARTITIONS = 2;
const CACHE_MAX_BYTES = 10 * 1024 * 1024;
/**
 * The fixed overhead of the memory bound (MB of RssAnon besides the store cache), whatever the number
 * of keys. Measured (--trace-gc, loaded 2-core box): the live V8 heap after a major GC is 35-65 MB
 * (10 MiB cache included); between major GCs V8 lets the heap grow to about 4x that (heapTotal
 * 180-270 MB at the RssAnon peak), plus Buffers and native memory (LMDB write buffers, pending-write
 * arenas, the embedded log) and Node itself: peaks of 230-250 MB when the keys fit in the cache (few
 * objects promoted), 320-350 MB when every record misses it (cache entries promoted and evicted at the
 * record rate: more major GCs, the same peak at 100k and 1M keys).
 */
const FIXED_OVERHEAD_MB = 390;
/** Key independence: the 1M-key count may peak at most this factor above the 100k-key count (both outgrow the cache). */
const KEY_GROWTH_LIMIT = 1.15;
const BOUND_MB = Math.round(CACHE_MAX_BYTES / 1048576 + FIXED_OVERHEAD_MB);

const scenario = process.env.BENCH_SCENARIO as Scenario | undefined;
const phase = process.env.BENCH_PHASE === 'prepare' ? 'prepare' : 'run';
const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'tributary-bench-stateful-'));
const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
const admin = log.admin();
await admin.connect();
const producer = log.producer();
await producer.connect();
const str = Serdes.string();

/** Peak RssAnon and RssFile (kB) seen by {@link sampleRss} (Linux; stays 0 elsewhere). */
const rssPeak = { anonKB: 0, fileKB: 0, heapMB: 0 };

/** Reads RssAnon and RssFile from /proc/self/status into {@link rssPeak}. */
function sampleRss(): void {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    return;
  }
  const anon = /RssAnon:\s+(\d+)/.exec(status);
  const file = /RssFile:\s+(\d+)/.exec(status);
  if (anon !== null && Number(anon[1]) > rssPeak.anonKB) {
    rssPeak.anonKB = Number(anon[1]);
    rssPeak.heapMB = Math.round(process.memoryUsage().heapTotal / 1048576); // the V8 heap at that peak
  }
  if (file !== null) rssPeak.fileKB = Math.max(rssPeak.fileKB, Number(file[1]));
}

/** Produces `n` records with keys `k<i % keys>` and event times 1 ms apart, in batches. */
async function prepareInput(topic: string, n: number, keys: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: `${topic}-out`, numPartitions: PARTITIONS }] });
  const value = Buffer.from('v');
  for (let i = 0; i < n; i += 10_000) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) messages.push({ key: `k${j % keys}`, value, timestamp: String(1_700_000_000_000 + j) });
    await producer.send({ topic, messages });
  }
}

function countTopology(input: string, kind: 'lmdb' | 'memory'): PhysicalTopology {
  const b = new StreamsBuilder();
  b.stream<string, string>(input, { keySerde: str, valueSerde: str })
    .groupByKey()
    .count({ storeName: 'counts', kind })
    .toStream()
    .to(`${input}-out`, { keySerde: str, valueSerde: Serdes.int64() });
  return b.build();
}

function windowedTopology(input: string): PhysicalTopology {
  const b = new StreamsBuilder();
  b.stream<string, string>(input, { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace('1m'))
    .count({ storeName: 'counts-1m' })
    .toStream()
    .to(`${input}-out`, { keySerde: WindowedSerdes.timeWindowed(str, 60_000), valueSerde: Serdes.int64() });
  return b.build();
}

/** CPU seconds (user + system, all threads) of the last {@link run}: steadier than wall time on a shared box. */
let runCpuSeconds = 0;

/** Runs an application over `input` until all `n` records are processed and committed; records/s. */
async function run(applicationId: string, topology: PhysicalTopology, n: number): Promise<number> {
  const app = new TributaryStreams(topology, {
    applicationId,
    log: { client: log },
    stateDir: join(dir, 'state'),
    commitIntervalMs: 1000,
    cacheMaxBytes: CACHE_MAX_BYTES,
    maxBufferedRecordsPerPartition: 10_000,
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await app.start();
  while (app.metricsSnapshot().recordsProcessed < n) await new Promise((r) => setTimeout(r, 5));
  await app.commit();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  runCpuSeconds = (cpu.user + cpu.system) / 1e6;
  await app.close();
  return n / seconds;
}

/** Writes a changelog of `entries` distinct keys for {@link restore}. */
async function prepareRestore(entries: number): Promise<void> {
  const input = 'restore-in';
  await admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }, { topic: `${input}-out`, numPartitions: 1 }] });
  const changelog = 'bench-restore-counts-changelog';
  await admin.createTopics({ topics: [{ topic: changelog, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  const value = Serdes.int64().serialize(changelog, 1)!;
  for (let i = 0; i < entries; i += 10_000) {
    const messages = [];
    for (let j = i; j < Math.min(entries, i + 10_000); j++) messages.push({ key: `key-${String(j).padStart(8, '0')}`, value, partition: 0 });
    await producer.send({ topic: changelog, messages });
  }
}

/** Times a fresh instance restoring the changelog written by {@link prepareRestore}. */
async function restore(entries: number): Promise<number> {
  const input = 'restore-in';
  const app = new TributaryStreams(countTopology(input, 'lmdb'), { applicationId: 'bench-restore', log: { client: log }, stateDir: join(dir, 'restore-state') });
  let first = 0;
  let last = 0;
  let restored = 0;
  app.on('restore', (p: RestoreProgress) => {
    if (first === 0) first = performance.now();
    if (p.done) {
      last = performance.now();
      restored = p.restored;
    }
  });
  const cpu0 = process.cpuUsage();
  await app.start();
  const cpu = process.cpuUsage(cpu0);
  runCpuSeconds = (cpu.user + cpu.system) / 1e6;
  await app.close();
  if (restored !== entries) throw new Error(`restored ${restored} of ${entries}`);
  return entries / ((last - first) / 1000);
}

/**
 * Same-run reference for the 1M-key count: a hand-written loop doing only its LMDB work (a get and a
 * put per record of distinct keys (`k<i>`) with 16-byte values, noSync, sorted puts in one transaction per 100k
 * keys like a commit), no streams, no changelog.
 */
function lmdbReference(n: number): number {
  const db = openLmdb<Buffer, Buffer>({ path: join(dir, 'lmdb-reference'), noSync: true, keyEncoding: 'binary', encoding: 'binary' });
  const value = Buffer.alloc(16, 1);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const batch: Buffer[] = [];
  const flush = (): void => {
    batch.sort(Buffer.compare);
    db.transactionSync(() => {
      for (const k of batch) db.putSync(k, value);
    });
    batch.length = 0;
  };
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`k${i}`);
    db.getBinary(key);
    batch.push(key);
    if (batch.length === 100_000) flush();
  }
  flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  runCpuSeconds = (cpu.user + cpu.system) / 1e6;
  db.close().catch(() => undefined);
  return n / seconds;
}

const SCENARIOS = ['count10k', 'count100k', 'count1m', 'lmdbReference', 'count1mMemory', 'windowed', 'restore'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** Writes one scenario's input into the log. */
async function prepareScenario(name: Scenario): Promise<void> {
  switch (name) {
    case 'count10k':
      return prepareInput('c10k-in', RECORDS, 10_000);
    case 'count100k':
      return prepareInput('c100k-in', RECORDS, 100_000);
    case 'count1m':
    case 'count1mMemory':
      return prepareInput('c1m-in', RECORDS, 1_000_000);
    case 'windowed':
      return prepareInput('w10k-in', RECORDS, 10_000);
    case 'restore':
      return prepareRestore(RESTORE_ENTRIES);
    case 'lmdbReference':
      return;
  }
}

/** Runs one scenario over its prepared input in this process: returns records/s. */
async function runScenario(name: Scenario): Promise<number> {
  switch (name) {
    case 'count10k':
      return run('c10k', countTopology('c10k-in', 'lmdb'), RECORDS);
    case 'count100k':
      return run('c100k', countTopology('c100k-in', 'lmdb'), RECORDS);
    case 'count1m':
      return run('c1m', countTopology('c1m-in', 'lmdb'), RECORDS);
    case 'count1mMemory':
      return run('c1m-mem', countTopology('c1m-in', 'memory'), RECORDS);
    case 'windowed':
      return run('w10k', windowedTopology('w10k-in'), RECORDS);
    case 'restore':
      return restore(RESTORE_ENTRIES);
    case 'lmdbReference':
      return lmdbReference(RECORDS);
  }
}

async function closeLog(): Promise<void> {
  await producer.disconnect();
  await admin.disconnect();
  await log.close();
}

if (scenario !== undefined && phase === 'prepare') {
  await prepareScenario(scenario);
  await closeLog();
  process.exit(0);
}
if (scenario !== undefined) {
  // Child: one scenario over the prepared input, then its figures as the last line.
  const sampler = setInterval(sampleRss, 20);
  const perSec = await runScenario(scenario);
  clearInterval(sampler);
  sampleRss();
  await closeLog();
  console.log(
    JSON.stringify({
      scenario,
      perSec: Math.round(perSec),
      rssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      rssAnonMB: Math.round(rssPeak.anonKB / 1024),
      rssFileMB: Math.round(rssPeak.fileKB / 1024),
      heapMB: rssPeak.heapMB,
      cpuSeconds: Math.round(runCpuSeconds * 100) / 100,
    }),
  );
  process.exit(0);
}
await closeLog();

// Parent: each scenario in its own processes (input writer, then the application), so each peak RSS is its own.
const LABELS: Record<Scenario, { name: string; key: string; note: string }> = {
  count10k: { name: 'count, 10k keys, LMDB', key: 'count10kPerSec', note: 'target >= 500,000' },
  count100k: { name: 'count, 100k keys, LMDB', key: 'count100kPerSec', note: 'keys outgrow the cache' },
  count1m: { name: 'count, 1M distinct keys, LMDB', key: 'count1mPerSec', note: 'target >= 150,000' },
  lmdbReference: { name: 'reference: LMDB get + put alone, distinct keys', key: 'lmdbReferencePerSec', note: 'ceiling of the 1M-key count' },
  count1mMemory: { name: 'count, 1M distinct keys, in-memory', key: 'count1mMemoryPerSec', note: 'holds every key in memory' },
  windowed: { name: 'windowed count, 1m tumbling, 10k keys', key: 'windowedPerSec', note: 'target >= 300,000' },
  restore: { name: `restore ${RESTORE_ENTRIES.toLocaleString('en-US')}-entry changelog into LMDB`, key: 'restorePerSec', note: 'target >= 500,000' },
};
const rows: { name: string; 'records/s': number; 'peak RSS MB': number; 'anon MB': number; 'heap MB': number; 'file MB': number; 'CPU s': number; note: string }[] = [];
const figures: Record<string, number | boolean> = {};
let peakRssMB = 0;
let peakRssAnonMB = 0;
let peakRssFileMB = 0;

/** Runs this file as a child in `phase` of scenario `name`; returns its last stdout line. */
function child(name: Scenario, childPhase: 'prepare' | 'run'): string {
  const prof = process.env.BENCH_STATEFUL_PROF;
  const profArgs = prof !== undefined && childPhase === 'run' ? ['--cpu-prof', '--cpu-prof-dir', prof] : [];
  const c = spawnSync(process.execPath, [...process.execArgv, ...profArgs, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_SCENARIO: name, BENCH_PHASE: childPhase, BENCH_DIR: join(dir, name) },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const last = c.stdout.trim().split('\n').at(-1) ?? '';
  if (c.status !== 0 || (childPhase === 'run' && !last.startsWith('{'))) throw new Error(`scenario ${name} ${childPhase} failed (${c.status}): ${c.stderr}`);
  return last;
}

for (const name of SCENARIOS) {
  if (ONLY !== null && !ONLY.includes(name)) continue;
  child(name, 'prepare');
  const { perSec, rssMB, rssAnonMB, rssFileMB, heapMB, cpuSeconds } = JSON.parse(child(name, 'run')) as {
    perSec: number;
    rssMB: number;
    rssAnonMB: number;
    rssFileMB: number;
    heapMB: number;
    cpuSeconds: number;
  };
  rmSync(join(dir, name), { recursive: true, force: true });
  const label = LABELS[name];
  figures[label.key] = perSec;
  if (name === 'count10k') figures.rssAnon10kMB = rssAnonMB;
  if (name === 'count100k') figures.rssAnon100kMB = rssAnonMB;
  if (name === 'count1m') figures.rssAnon1mMB = rssAnonMB;
  if (name !== 'count1mMemory' && name !== 'lmdbReference') {
    peakRssMB = Math.max(peakRssMB, rssMB);
    peakRssAnonMB = Math.max(peakRssAnonMB, rssAnonMB);
    peakRssFileMB = Math.max(peakRssFileMB, rssFileMB);
  } else if (name === 'count1mMemory') {
    figures.count1mMemoryRssMB = rssMB;
    figures.count1mMemoryRssAnonMB = rssAnonMB;
  }
  const bounded = name !== 'count1mMemory' && name !== 'lmdbReference' ? (rssAnonMB <= BOUND_MB ? `, anon <= ${BOUND_MB} MB: yes` : `, anon <= ${BOUND_MB} MB: NO`) : '';
  rows.push({ name: label.name, 'records/s': perSec, 'peak RSS MB': rssMB, 'anon MB': rssAnonMB, 'heap MB': heapMB, 'file MB': rssFileMB, 'CPU s': cpuSeconds, note: label.note + bounded });
}
rmSync(dir, { recursive: true, force: true });

printTable(`stateful streams, ${RECORDS.toLocaleString('en-US')} records per run, ${PARTITIONS} partitions, embedded log, store cache ${CACHE_MAX_BYTES / 1024 / 1024} MiB`, rows);
console.log(
  `peak RSS of the LMDB runs: ${peakRssMB} MB, of which anonymous ${peakRssAnonMB} MB and mapped files ${peakRssFileMB} MB ` +
    `(file pages are LMDB's mmap'd data, OS page cache; heap = V8 heap at the RssAnon peak; the in-memory store holds all its keys)`,
);
const anon10k = figures.rssAnon10kMB as number | undefined;
const anon100k = figures.rssAnon100kMB as number | undefined;
const anon1m = figures.rssAnon1mMB as number | undefined;
if (anon10k !== undefined && anon100k !== undefined && anon1m !== undefined) {
  const withinBound = peakRssAnonMB <= BOUND_MB;
  const keyIndependent = anon1m <= anon100k * KEY_GROWTH_LIMIT;
  figures.memoryBoundMB = BOUND_MB;
  figures.memoryBoundHolds = withinBound && keyIndependent;
  console.log(
    `memory bound: peak RssAnon <= store cache ${CACHE_MAX_BYTES / 1048576} MiB + fixed overhead ${FIXED_OVERHEAD_MB} MB = ${BOUND_MB} MB ` +
      `(every LMDB run; counts: 10k keys ${anon10k} MB, 100k keys ${anon100k} MB, 1M keys ${anon1m} MB): ${withinBound ? 'holds' : 'DOES NOT HOLD'}; ` +
      `not by the number of keys (1M <= ${KEY_GROWTH_LIMIT}x 100k, both beyond the cache: ${(anon1m / anon100k).toFixed(2)}x): ${keyIndependent ? 'holds' : 'DOES NOT HOLD'}`,
  );
}
printJson({ bench: 'streams-stateful', records: RECORDS, ...figures, peakRssMB, peakRssAnonMB, peakRssFileMB, cacheMaxBytes: CACHE_MAX_BYTES });
