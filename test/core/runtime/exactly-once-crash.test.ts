/**
 * Exactly-once under SIGKILL: a child process runs a stateful topology (a count per key, and a windowed
 * sum behind a repartition; test/fixtures/eos-topology.ts) on the embedded log with `exactly_once_v2` and
 * is killed with SIGKILL at random points (after a random number of records, plus a random delay: mostly
 * mid-transaction, sometimes mid-commit), then restarted on the same directories, until one run finishes
 * the input. The stores and the read_committed outputs must equal those of one uninterrupted run: each
 * count sequence is exactly 1..n (a record processed twice would repeat a count), each window got exactly
 * one update per record of it, and the final values match.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { COUNTS_TOPIC, INPUT_TOPIC, SUMS_TOPIC, WINDOW_MS } from '../../fixtures/eos-topology.ts';

const worker = fileURLToPath(new URL('../../fixtures/eos-worker.ts', import.meta.url));
const TOTAL = 2400;
const KEYS = 16;
const PARTITIONS = 2;
const BASE_TIME = 1_700_000_000_000;

interface Dump {
  counts: Record<string, number>;
  sums: Record<string, number>;
}

interface Run {
  child: ChildProcess;
  progress: number;
  dump: Dump | null;
  exited: Promise<number | null>;
  stderr(): string;
}

function startWorker(dir: string, guarantee: string, sum: number, spinMicros: number): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', worker, join(dir, 'log'), join(dir, 'state'), guarantee, String(TOTAL), String(sum), String(spinMicros)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let buffered = '';
  const run: Run = {
    child,
    progress: 0,
    dump: null,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stderr: () => stderr,
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const m = /^progress (\d+)$/.exec(line);
      if (m) run.progress = Number(m[1]);
      if (line.startsWith('dump ')) run.dump = JSON.parse(line.slice(5)) as Dump;
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return run;
}

async function until(check: () => boolean, run: Run, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`worker timed out (progress ${run.progress}): ${run.stderr()}`);
    if (run.child.exitCode !== null && !check()) throw new Error(`worker exited ${run.child.exitCode}: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The same input in a fresh log directory; returns the sum of all values. */
async function prepare(dir: string): Promise<number> {
  const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [INPUT_TOPIC, COUNTS_TOPIC, SUMS_TOPIC].map((topic) => ({ topic, numPartitions: topic === INPUT_TOPIC ? PARTITIONS : 1 })),
  });
  await admin.disconnect();
  const producer = log.producer();
  await producer.connect();
  let sum = 0;
  for (let i = 0; i < TOTAL; i += 400) {
    const messages = [];
    for (let j = i; j < i + 400; j++) {
      const value = (j * 7919) % 11;
      sum += value;
      messages.push({ key: `k${j % KEYS}`, value: String(value), timestamp: String(BASE_TIME + j * 5) });
    }
    await producer.send({ topic: INPUT_TOPIC, messages });
  }
  await log.close();
  return sum;
}

/** The read_committed records of a single-partition output topic, in offset order. */
async function committedOutput(dir: string, topic: string): Promise<[string, string][]> {
  const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  try {
    const out: [string, string][] = [];
    let offset = 0;
    for (;;) {
      const [p] = await log.fetch([{ topic, partition: 0, offset, maxBytes: 1 << 22 }], { maxWaitMs: 0, isolationLevel: 'read_committed' });
      for (const r of p!.records) out.push([r.key!.toString(), r.value!.toString()]);
      if (p!.nextOffset === offset) break;
      offset = p!.nextOffset;
    }
    return out;
  } finally {
    await log.close();
  }
}

function byKey(records: readonly [string, string][]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [k, v] of records) {
    let list = map.get(k);
    if (list === undefined) map.set(k, (list = []));
    list.push(v);
  }
  return map;
}

/** Records per window of the sums branch, from the input the test produced. */
function recordsPerWindow(): Map<string, number> {
  const out = new Map<string, number>();
  for (let j = 0; j < TOTAL; j++) {
    const value = (j * 7919) % 11;
    const start = Math.floor((BASE_TIME + j * 5) / WINDOW_MS) * WINDOW_MS;
    const k = `g${value % 3}@${start}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** Runs the reference and then killed runs (`kills` at most) plus a final one on the crash copy; returns the final dump. */
async function crashRuns(base: string, guarantee: string, maxKills: number): Promise<{ expected: Dump; final: Dump; sum: number; kills: number[] }> {
  const refDir = join(base, 'ref');
  const crashDir = join(base, 'crash');
  const sum = await prepare(refDir);
  expect(await prepare(crashDir)).toBe(sum);

  const reference = startWorker(refDir, 'exactly_once_v2', sum, 0);
  await until(() => reference.dump !== null, reference);
  expect(await reference.exited).toBe(0);
  const expected = reference.dump!;
  expect(Object.values(expected.counts).reduce((a, b) => a + b, 0)).toBe(TOTAL);

  // Killed runs: after a random number of records (and a random few ms), SIGKILL.
  const kills: number[] = [];
  for (let attempt = 0; attempt < maxKills; attempt++) {
    const run = startWorker(crashDir, guarantee, sum, 150);
    const target = 40 + Math.floor(Math.random() * 900);
    await until(() => run.progress >= target || run.dump !== null, run);
    if (run.dump !== null) {
      await run.exited;
      break;
    }
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe(null);
    kills.push(run.progress);
  }
  expect(kills.length).toBeGreaterThan(0);
  const last = startWorker(crashDir, guarantee, sum, 0);
  await until(() => last.dump !== null, last);
  expect(await last.exited).toBe(0);
  return { expected, final: last.dump!, sum, kills };
}

describe('core/runtime/exactly-once crash', () => {
  it('a stateful worker with a repartition, SIGKILLed at random points and restarted until done, ends with the stores and read_committed outputs of one uninterrupted run: no record counted twice', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-eos-crash-'));
    const crashDir = join(base, 'crash');
    try {
      const { expected, final } = await crashRuns(base, 'exactly_once_v2', 4);

      // Stores: equal to the uninterrupted run.
      expect(final.counts).toEqual(expected.counts);
      expect(final.sums).toEqual(expected.sums);

      // read_committed counts: each key's updates are exactly 1..n.
      const counts = byKey(await committedOutput(crashDir, COUNTS_TOPIC));
      expect(counts.size).toBe(KEYS);
      for (const [key, values] of counts) {
        expect(values, key).toEqual(Array.from({ length: expected.counts[key]! }, (_, i) => String(i + 1)));
      }
      // read_committed sums: one update per record of each window, ending at the reference's value.
      const sums = byKey(await committedOutput(crashDir, SUMS_TOPIC));
      const perWindow = recordsPerWindow();
      expect(new Set(sums.keys())).toEqual(new Set(perWindow.keys()));
      for (const [window, values] of sums) {
        expect(values.length, window).toBe(perWindow.get(window));
        expect(Number(values.at(-1)), window).toBe(expected.sums[window]);
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 180_000);

  it('the same kills under at_least_once count records twice (the checks above can fail)', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-alos-crash-'));
    try {
      const { expected, final } = await crashRuns(base, 'at_least_once', 2);
      const counted = Object.values(final.counts).reduce((a, b) => a + b, 0);
      expect(counted).toBeGreaterThan(TOTAL);
      expect(final.counts).not.toEqual(expected.counts);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 180_000);
});
