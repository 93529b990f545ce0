/**
 * Side by side with the TypeScript peer: the same word count (lines -> flatMapValues(words) -> group by
 * word (repartitioned) -> count -> output topic `word-counts`) over 200,000 lines of 10 words drawn from
 * a Zipf distribution (s = 1) over 10,000 words (seeded PRNG, generated once), run by
 * (a) Tributary on the embedded log, (b) Tributary (kafkajs backend) on `tributary broker`,
 * (c) @kafkats/flow (its defaults: in-memory store, changelog on) on `tributary broker`.
 *
 * The input topic (4 partitions) is produced first, outside the measurement. Each engine then runs in its
 * own process (bench/peers/worker.ts) so that its peak RSS (getrusage maxRSS, which includes the output
 * reader) is its own; the clock runs from just before the application is constructed until the output
 * topic reflects every word (the latest count per word sums to 2,000,000), polled every 25 ms. Each broker
 * engine gets a fresh broker child process (`node bin/tributary.js broker`), whose peak RSS (VmHWM) is
 * reported too. The final counts read from the three output topics are compared with each other and
 * with the counts computed here. `BENCH_LINES` changes the line count, `BENCH_TIMEOUT_MS` the timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Admin, LogClient } from '../core/clients/log-client.ts';
import { EmbeddedLog } from '../core/clients/embedded/embedded-log.ts';
import { KafkajsLogClient } from '../core/clients/kafkajs/kafkajs-log-client.ts';
import { COUNTS_TOPIC, LINES_TOPIC, wordsOf } from '../examples/wordcount/wordcount-topology.ts';
import { printTable, type BenchRow } from './report.ts';
import type { Engine, WorkerArgs, WorkerResult } from './peers/worker.ts';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const WORDS_PER_LINE = 10;
const VOCABULARY = 10_000;
const PARTITIONS = 4;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 900_000);
const FLOW_REPARTITION = 'wordcount-flow-words-repartition';
const BIN = fileURLToPath(new URL('../bin/tributary.js', import.meta.url));
const WORKER = fileURLToPath(new URL('./peers/worker.ts', import.meta.url));

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The input: LINES lines of WORDS_PER_LINE words, Zipf(1) over VOCABULARY words. */
function generateLines(): string[] {
  const words = Array.from({ length: VOCABULARY }, (_, i) => `w${i.toString(36)}`);
  const cdf = new Float64Array(VOCABULARY);
  let sum = 0;
  for (let i = 0; i < VOCABULARY; i++) cdf[i] = sum += 1 / (i + 1);
  for (let i = 0; i < VOCABULARY; i++) cdf[i]! /= sum;
  const random = prng(7);
  const pick = (): string => {
    const u = random();
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  return Array.from({ length: LINES }, () => Array.from({ length: WORDS_PER_LINE }, pick).join(' '));
}

async function fill(client: LogClient, lines: readonly string[], extraTopics: readonly string[]): Promise<void> {
  const admin: Admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [LINES_TOPIC, COUNTS_TOPIC, ...extraTopics].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < lines.length; i += 1000) {
    await producer.send({ topic: LINES_TOPIC, messages: lines.slice(i, i + 1000).map((value) => ({ key: null, value })) });
  }
  await producer.disconnect();
}

interface Broker {
  readonly child: ChildProcess;
  readonly bootstrap: string;
}

async function startBroker(dir: string): Promise<Broker> {
  const child = spawn(process.execPath, [BIN, 'broker', '--data', dir, '--port', '0', '--flush', 'os'], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.includes(' INFO ')) console.error(`broker: ${line}`);
  });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the broker')), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening on (\S+)$/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return { child, bootstrap };
}

/** CPU seconds (user + system) a live process used so far (Linux /proc), or NaN. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Peak RSS of a live process in MB (Linux VmHWM), or NaN. */
function peakRssOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? NaN : Number(m[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function stopBroker(broker: Broker): Promise<void> {
  const exited = new Promise((r) => broker.child.once('exit', r));
  broker.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

function runWorker(args: WorkerArgs): Promise<WorkerResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as WorkerResult);
      } catch {
        const error = `worker exited with ${code}: ${(stderr || stdout).trim().split('\n').slice(-5).join(' | ')}`;
        resolve({ engine: args.engine, ok: false, error, seconds: NaN, wordsSeen: 0, outputRecords: 0, linesPerSec: null, wordsPerSec: null, peakRssMB: NaN, cpuSeconds: NaN });
      }
      if (stderr.trim() !== '') console.error(`[${args.engine} stderr] ${stderr.trim().split('\n').slice(-8).join('\n  ')}`);
    });
  });
}

function readCounts(file: string): Map<string, number> {
  try {
    return new Map(JSON.parse(readFileSync(file, 'utf8')) as [string, number][]);
  } catch {
    return new Map();
  }
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const base = mkdtempSync(join(tmpdir(), 'tributary-peers-'));
try {
  const lines = generateLines();
  const expected = new Map<string, number>();
  let expectedWords = 0;
  for (const line of lines) {
    for (const w of wordsOf(line)) {
      expected.set(w, (expected.get(w) ?? 0) + 1);
      expectedWords += 1;
    }
  }
  const common = { partitions: PARTITIONS, expectedWords, lines: LINES, timeoutMs: TIMEOUT_MS, flowRepartitionTopic: FLOW_REPARTITION };
  const results: Record<Engine, WorkerResult & { brokerPeakRssMB?: number; brokerCpuSeconds?: number }> = {} as never;

  // (a) embedded log
  {
    const logDir = join(base, 'embedded', 'log');
    const log = await EmbeddedLog.open({ dir: logDir });
    await fill(log, lines, []);
    await log.close();
    results.embedded = await runWorker({ engine: 'embedded', logDir, stateDir: join(base, 'embedded', 'state'), countsFile: join(base, 'embedded.json'), ...common });
  }
  // (b) Tributary on the broker, (c) @kafkats/flow on the broker: a fresh broker each
  for (const engine of ['broker', 'flow'] as const) {
    const broker = await startBroker(join(base, engine, 'broker'));
    try {
      const client = new KafkajsLogClient({ brokers: [broker.bootstrap], clientId: 'peers-loader' });
      await fill(client, lines, engine === 'flow' ? [FLOW_REPARTITION] : []);
      await client.close();
      const cpuBefore = cpuOf(broker.child.pid!);
      const r = await runWorker({ engine, bootstrap: broker.bootstrap, stateDir: join(base, engine, 'state'), countsFile: join(base, `${engine}.json`), ...common });
      results[engine] = { ...r, brokerPeakRssMB: peakRssOf(broker.child.pid!), brokerCpuSeconds: cpuOf(broker.child.pid!) - cpuBefore };
    } finally {
      await stopBroker(broker);
    }
  }

  const counts = { embedded: readCounts(join(base, 'embedded.json')), broker: readCounts(join(base, 'broker.json')), flow: readCounts(join(base, 'flow.json')) };
  const matches = (e: Engine): boolean => results[e].ok && sameCounts(counts[e], expected);
  const countsAgree = matches('embedded') && matches('broker') && matches('flow');

  const label: Record<Engine, string> = { embedded: 'Tributary, embedded log', broker: 'Tributary, tributary broker', flow: '@kafkats/flow 0.12.0, tributary broker' };
  const rows: BenchRow[] = (['embedded', 'broker', 'flow'] as const).map((e) => {
    const r = results[e];
    return {
      name: label[e],
      'lines/s': r.linesPerSec ?? 'n/a',
      'words/s': r.wordsPerSec ?? 'n/a',
      seconds: Number.isFinite(r.seconds) ? r.seconds : 'n/a',
      'output records': r.outputRecords,
      'peak RSS MB': Number.isFinite(r.peakRssMB) ? r.peakRssMB : 'n/a',
      'broker peak RSS MB': r.brokerPeakRssMB !== undefined && Number.isFinite(r.brokerPeakRssMB) ? r.brokerPeakRssMB : '-',
      'app CPU s': Number.isFinite(r.cpuSeconds) ? r.cpuSeconds : 'n/a',
      'broker CPU s': r.brokerCpuSeconds !== undefined && Number.isFinite(r.brokerCpuSeconds) ? r.brokerCpuSeconds : '-',
      'counts = expected': matches(e) ? 'yes' : 'no',
      error: r.error ?? '',
    };
  });
  printTable(`word count, ${LINES.toLocaleString('en-US')} lines x ${WORDS_PER_LINE} words (Zipf over ${VOCABULARY.toLocaleString('en-US')}), ${PARTITIONS} partitions; input produced beforehand, time from app start to complete output`, rows);
  console.log(`counts agree across the three (and with the expected counts): ${countsAgree ? 'yes' : 'no'}`);
  const flowLps = results.flow.linesPerSec;
  const ratio = flowLps === null || results.broker.linesPerSec === null ? null : results.broker.linesPerSec / flowLps;
  if (ratio !== null) console.log(`Tributary on the broker / @kafkats/flow on the broker: ${ratio.toFixed(2)}x lines/s (target >= 5x)`);

  const figures: Record<string, number | string | boolean> = {
    lines: LINES,
    words: expectedWords,
    tributaryEmbeddedLinesPerSec: results.embedded.linesPerSec ?? 'null',
    tributaryEmbeddedWordsPerSec: results.embedded.wordsPerSec ?? 'null',
    tributaryEmbeddedPeakRssMB: results.embedded.peakRssMB,
    tributaryBrokerLinesPerSec: results.broker.linesPerSec ?? 'null',
    tributaryBrokerWordsPerSec: results.broker.wordsPerSec ?? 'null',
    tributaryBrokerPeakRssMB: results.broker.peakRssMB,
    tributaryBrokerBrokerPeakRssMB: results.broker.brokerPeakRssMB ?? NaN,
    kafkatsFlowLinesPerSec: results.flow.linesPerSec ?? 'null',
    kafkatsFlowWordsPerSec: results.flow.wordsPerSec ?? 'null',
    kafkatsFlowPeakRssMB: results.flow.peakRssMB,
    kafkatsFlowBrokerPeakRssMB: results.flow.brokerPeakRssMB ?? NaN,
    countsAgree,
  };
  for (const e of ['embedded', 'broker', 'flow'] as const) if (results[e].error !== undefined) figures[`${e}Error`] = results[e].error!;
  if (ratio !== null) figures.brokerVsFlowLinesRatio = ratio;
  // The last line, as printJson would print it, but with real nulls for missing figures (printJson takes no null).
  console.log(JSON.stringify(figures, (_k, v: unknown) => (v === 'null' || (typeof v === 'number' && Number.isNaN(v)) ? null : v)));
} finally {
  rmSync(base, { recursive: true, force: true });
}
