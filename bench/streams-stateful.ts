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
 * Each scenario runs in its own process (this file re-executed with BENCH_SCENARIO), so each peak RSS
 * is that scenario's own; `peakRssMB` is the largest among the LMDB scenarios.
 *
 * BENCH_RECORDS (default 1,000,000) sets the records per run; BENCH_ONLY=count10k,windowed,... a subset.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-stateful-'));
const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
const admin = log.admin();
await admin.connect();
const producer = log.producer();
await producer.connect();
const str = Serdes.string();

/** Peak RssAnon and RssFile (kB) seen by {@link sampleRss} (Linux; stays 0 elsewhere). */
const rssPeak = { anonKB: 0, fileKB: 0 };

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
  if (anon !== null) rssPeak.anonKB = Math.max(rssPeak.anonKB, Number(anon[1]));
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

/** Writes a changelog of `entries` distinct keys, then times a fresh instance restoring it. */
async function restore(entries: number): Promise<number> {
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

const SCENARIOS = ['count10k', 'count1m', 'count1mMemory', 'windowed', 'restore'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** Runs one scenario in this process: returns records/s. */
async function runScenario(name: Scenario): Promise<number> {
  switch (name) {
    case 'count10k':
      await prepareInput('c10k-in', RECORDS, 10_000);
      return run('c10k', countTopology('c10k-in', 'lmdb'), RECORDS);
    case 'count1m':
      await prepareInput('c1m-in', RECORDS, 1_000_000);
      return run('c1m', countTopology('c1m-in', 'lmdb'), RECORDS);
    case 'count1mMemory':
      await prepareInput('c1m-in', RECORDS, 1_000_000);
      return run('c1m-mem', countTopology('c1m-in', 'memory'), RECORDS);
    case 'windowed':
      await prepareInput('w10k-in', RECORDS, 10_000);
      return run('w10k', windowedTopology('w10k-in'), RECORDS);
    case 'restore':
      return restore(RESTORE_ENTRIES);
  }
}

const scenario = process.env.BENCH_SCENARIO as Scenario | undefined;
if (scenario !== undefined) {
  // Child: one scenario, then its figures as the last line.
  const sampler = setInterval(sampleRss, 20);
  const perSec = await runScenario(scenario);
  clearInterval(sampler);
  sampleRss();
  await producer.disconnect();
  await admin.disconnect();
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      scenario,
      perSec: Math.round(perSec),
      rssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      rssAnonMB: Math.round(rssPeak.anonKB / 1024),
      rssFileMB: Math.round(rssPeak.fileKB / 1024),
      cpuSeconds: Math.round(runCpuSeconds * 100) / 100,
    }),
  );
  process.exit(0);
}
await producer.disconnect();
await admin.disconnect();
await log.close();
rmSync(dir, { recursive: true, force: true });

// Parent: each scenario in its own process, so each peak RSS is its own.
const LABELS: Record<Scenario, { name: string; key: string; note: string }> = {
  count10k: { name: 'count, 10k keys, LMDB', key: 'count10kPerSec', note: 'target >= 500,000' },
  count1m: { name: 'count, 1M distinct keys, LMDB', key: 'count1mPerSec', note: 'target >= 150,000' },
  count1mMemory: { name: 'count, 1M distinct keys, in-memory', key: 'count1mMemoryPerSec', note: 'holds every key in memory' },
  windowed: { name: 'windowed count, 1m tumbling, 10k keys', key: 'windowedPerSec', note: 'target >= 300,000' },
  restore: { name: `restore ${RESTORE_ENTRIES.toLocaleString('en-US')}-entry changelog into LMDB`, key: 'restorePerSec', note: 'target >= 500,000' },
};
const rows: { name: string; 'records/s': number; 'peak RSS MB': number; 'anon MB': number; 'file MB': number; 'CPU s': number; note: string }[] = [];
const figures: Record<string, number> = {};
let peakRssMB = 0;
let peakRssAnonMB = 0;
let peakRssFileMB = 0;
for (const name of SCENARIOS) {
  if (ONLY !== null && !ONLY.includes(name)) continue;
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_SCENARIO: name },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) throw new Error(`scenario ${name} failed (${child.status}): ${child.stderr}`);
  const { perSec, rssMB, rssAnonMB, rssFileMB, cpuSeconds } = JSON.parse(last) as {
    perSec: number;
    rssMB: number;
    rssAnonMB: number;
    rssFileMB: number;
    cpuSeconds: number;
  };
  const label = LABELS[name];
  figures[label.key] = perSec;
  if (name !== 'count1mMemory') {
    peakRssMB = Math.max(peakRssMB, rssMB);
    peakRssAnonMB = Math.max(peakRssAnonMB, rssAnonMB);
    peakRssFileMB = Math.max(peakRssFileMB, rssFileMB);
  } else {
    figures.count1mMemoryRssMB = rssMB;
    figures.count1mMemoryRssAnonMB = rssAnonMB;
  }
  rows.push({ name: label.name, 'records/s': perSec, 'peak RSS MB': rssMB, 'anon MB': rssAnonMB, 'file MB': rssFileMB, 'CPU s': cpuSeconds, note: label.note });
}

printTable(`stateful streams, ${RECORDS.toLocaleString('en-US')} records per run, ${PARTITIONS} partitions, embedded log, store cache ${CACHE_MAX_BYTES / 1024 / 1024} MiB`, rows);
console.log(
  `peak RSS of the LMDB runs: ${peakRssMB} MB, of which anonymous ${peakRssAnonMB} MB and mapped files ${peakRssFileMB} MB ` +
    `(store cache ${CACHE_MAX_BYTES / 1024 / 1024} MiB; file pages are LMDB's mmap'd data, OS page cache; the in-memory store holds all its keys)`,
);
printJson({ bench: 'streams-stateful', records: RECORDS, ...figures, peakRssMB, peakRssAnonMB, peakRssFileMB, cacheMaxBytes: CACHE_MAX_BYTES });
