/**
 * Topology workers across processes: three `tributary run` processes run the metrics aggregation against
 * one Kafka-protocol broker through kafkajs; one is killed with SIGKILL; within the session timeout its
 * tasks move to the other two, which restore the window aggregates from the changelogs and carry on; the
 * final windows equal those of a single-process run of the same input on the embedded log.
 *
 * Two apps: examples/metrics-aggregation/worker-app.ts (window store, suppress until the window closes,
 * one final result per window) and test/fixtures/worker-metrics-app.ts (a repartition by window id into
 * a key-value store, a result per update: the latest per window is final).
 *
 * Both apps run with `processingGuarantee: 'exactly_once_v2'`, and the kill lands at an arbitrary moment
 * while the workers process (the second half of the input is being produced; commits are in flight; the
 * victim's transaction is open): its outputs, repartition records and changelog writes since its last
 * commit were never committed, so read_committed readers (the survivors, their restores, this test)
 * never see them; the survivors resume from the committed offsets once its transaction is aborted (by the
 * transaction timeout, `transactionTimeoutMs=5000` here). Under at-least-once the same kill would
 * double-count the victim's uncommitted records.
 *
 * The committed changelog of the aggregate store is what a restore replays, so the test also checks it
 * is in order: no aggregate's count goes down along the offsets. (kafkajs reordered concurrent sends of
 * the record collector: a window's newest value landed before older ones, the survivors' restores ended
 * on the older value, and the window spanning the kill came out 1-3 events short.) The reference itself
 * is checked against the input: every window that must have closed holds each of its events once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { KafkajsLogClient } from '../../core/clients/kafkajs/kafkajs-log-client.ts';
import type { FetchedPartition, FetchRequest } from '../../core/clients/embedded/embedded-log.ts';
import type { LogClient } from '../../core/clients/log-client.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { loadApp } from '../../cli/run-command.ts';
import { EVENTS_TOPIC, type MetricEvent } from '../../examples/metrics-aggregation/metric-event.ts';
import { generateMetricEvents } from '../../examples/metrics-aggregation/metrics-generator.ts';
import { WINDOW_METRICS_TOPIC, windowMetricsSerde, type WindowMetrics } from '../../examples/metrics-aggregation/window-metrics.ts';
import { APPLICATION_ID as METRICS_APPLICATION_ID } from '../../examples/metrics-aggregation/run-metrics-aggregation.ts';
import { GRACE_MS, METRICS_STORE, metricKey, WINDOW_MS } from '../../examples/metrics-aggregation/metrics-topology.ts';
import { partitionForKey } from '../../core/clients/partitioner.ts';
import { plainRawValue } from '../../state-stores/value-and-timestamp.ts';
import { windowStoreKeyKey, windowStoreKeyStart } from '../../state-stores/window-key-schema.ts';
import { endpointAggregateSerde } from '../../examples/metrics-aggregation/window-metrics.ts';
import { APPLICATION_ID as FIXTURE_APPLICATION_ID, STORE as FIXTURE_STORE } from '../fixtures/worker-metrics-app.ts';
import { startTestBroker, type TestBroker } from '../fixtures/broker-harness.ts';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const INPUT_PARTITIONS = 6;
const OUTPUT_PARTITIONS = 3;
const EVENTS: readonly MetricEvent[] = [...generateMetricEvents(8000, { eventsPerSecond: 20 })];
/** Fast failure detection for the test: `--config` overrides of the modules' settings. */
const SETTINGS = ['sessionTimeoutMs=4000', 'heartbeatIntervalMs=400', 'commitIntervalMs=200', 'transactionTimeoutMs=5000'];

/** An app module run by the workers. */
interface AppCase {
  readonly name: string;
  readonly module: string;
  readonly applicationId: string;
  /** The store whose restore the test checks. */
  readonly store: string;
  /** The key events are produced with. */
  readonly keyOf: (e: MetricEvent) => string;
  /** Tasks holding that store for the input produced. */
  readonly statefulTasks: () => Set<string>;
  /** The aggregate a changelog record of that store is about (the window): `<key>` or `<key>@<start>`. */
  readonly changelogEntry: (key: Buffer) => string;
  /** The event count of the aggregate in a changelog record's value. */
  readonly changelogCount: (value: Buffer) => number;
  /** Whether a window's result comes out only once it closed (stream time of its partition >= end + grace). */
  readonly finalOnClose: boolean;
}

const CASES: readonly AppCase[] = [
  {
    name: 'examples/metrics-aggregation (window store, final results on window close)',
    module: fileURLToPath(new URL('../../examples/metrics-aggregation/worker-app.ts', import.meta.url)),
    applicationId: METRICS_APPLICATION_ID,
    store: METRICS_STORE,
    keyOf: metricKey,
    statefulTasks: () => new Set(EVENTS.map((e) => `0_${partitionForKey(Buffer.from(metricKey(e)), INPUT_PARTITIONS)}`)),
    changelogEntry: (key) => `${windowStoreKeyKey(key).toString()}@${windowStoreKeyStart(key)}`,
    changelogCount: (value) => endpointAggregateSerde.deserialize('', plainRawValue(value))!.count,
    finalOnClose: true,
  },
  {
    name: 'a repartition into a key-value store',
    module: fileURLToPath(new URL('../fixtures/worker-metrics-app.ts', import.meta.url)),
    applicationId: FIXTURE_APPLICATION_ID,
    store: FIXTURE_STORE,
    keyOf: (e) => e.service,
    statefulTasks: () => new Set(Array.from({ length: INPUT_PARTITIONS }, (_, p) => `1_${p}`)),
    changelogEntry: (key) => key.toString(),
    changelogCount: (value) => endpointAggregateSerde.deserialize('', value)!.count,
    finalOnClose: false,
  },
];

type Reader = {
  fetch(requests: readonly FetchRequest[], options: { maxWaitMs: number; isolationLevel?: 'read_committed' | 'read_uncommitted' }): Promise<FetchedPartition[]>;
};

/** One worker process and what it printed. */
interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** The state and tasks of the last `state ... tasks ...` line. */
  state(): { state: string; tasks: string[] };
}

let dir: string;
let broker: TestBroker;
const workers: Worker[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-workers-'));
  broker = await startTestBroker({ dir: join(dir, 'broker') });
});
afterEach(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await broker.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function startWorker(app: AppCase, name: string): Worker {
  const args = [bin, 'run', app.module, '--bootstrap', broker.bootstrap, '--state-dir', join(dir, `state-${name}`), ...SETTINGS.flatMap((s) => ['--config', s])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(`stderr: ${l}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const worker: Worker = {
    name,
    child,
    lines,
    exited,
    state() {
      const last = [...lines].reverse().find((l) => l.startsWith('state '));
      if (last === undefined) return { state: 'NONE', tasks: [] };
      const m = /^state (\S+) tasks (\S+)$/.exec(last)!;
      return { state: m[1]!, tasks: m[2] === '-' ? [] : m[2]!.split(',') };
    },
  };
  workers.push(worker);
  return worker;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) {
      const log = workers.map((w) => `--- ${w.name}\n${w.lines.slice(-15).join('\n')}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createTopics(client: LogClient): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: EVENTS_TOPIC, numPartitions: INPUT_PARTITIONS },
      { topic: WINDOW_METRICS_TOPIC, numPartitions: OUTPUT_PARTITIONS },
    ],
  });
  await admin.disconnect();
}

async function produce(client: LogClient, app: AppCase, events: readonly MetricEvent[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < events.length; i += 1000) {
    const messages = events.slice(i, i + 1000).map((e) => ({ key: app.keyOf(e), value: JSON.stringify(e), timestamp: String(e.timestamp) }));
    await producer.send({ topic: EVENTS_TOPIC, messages });
  }
  await producer.disconnect();
}

/** The output topic as window (`<service> <endpoint>@<start>`) -> latest committed result (read_committed). */
async function finalWindows(reader: Reader): Promise<Map<string, WindowMetrics>> {
  const out = new Map<string, WindowMetrics>();
  const fetched = await reader.fetch(
    Array.from({ length: OUTPUT_PARTITIONS }, (_, partition) => ({ topic: WINDOW_METRICS_TOPIC, partition, offset: 0, maxBytes: 64 << 20 })),
    { maxWaitMs: 0, isolationLevel: 'read_committed' },
  );
  for (const p of fetched) {
    for (const r of p.records) {
      const w = windowMetricsSerde.deserialize(WINDOW_METRICS_TOPIC, r.value)!;
      out.set(`${w.service} ${w.endpoint}@${w.windowStart}`, w);
    }
  }
  return out;
}

/**
 * The group's committed offsets cover every committed record of the input and repartition topics: read
 * read_committed from the committed offsets, nothing is left, and no transaction is open. (Under
 * exactly-once the repartition topics end with transaction markers, which no offset commit passes.)
 */
async function allCommitted(client: LogClient & Reader, app: AppCase): Promise<boolean> {
  const admin = client.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t === EVENTS_TOPIC || (t.startsWith(`${app.applicationId}-`) && t.endsWith('-repartition')));
    const committed = await admin.fetchOffsets({ groupId: app.applicationId, topics });
    const requests = committed.flatMap(({ topic, partitions }) =>
      partitions.map((p) => ({ topic, partition: p.partition, offset: Math.max(0, Number(p.offset)), maxBytes: 1 << 20 })),
    );
    const fetched = await client.fetch(requests, { maxWaitMs: 0, isolationLevel: 'read_committed' });
    return fetched.every((p) => p.error === undefined && p.records.length === 0 && (p.lastStableOffset ?? p.highWatermark) === p.highWatermark);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The group has committed progress on every partition with data of the input and repartition topics
 * (each task has committed state; the workers go on processing).
 */
async function someCommitted(client: LogClient, app: AppCase): Promise<boolean> {
  const admin = client.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t === EVENTS_TOPIC || (t.startsWith(`${app.applicationId}-`) && t.endsWith('-repartition')));
    const offsets = await admin.fetchOffsets({ groupId: app.applicationId, topics });
    const committed = new Map(offsets.flatMap(({ topic, partitions }) => partitions.map((p) => [`${topic}-${p.partition}`, Number(p.offset)] as const)));
    let partitions = 0;
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) === 0) continue;
        partitions++;
        if ((committed.get(`${topic}-${p.partition}`) ?? -1) <= 0) return false;
      }
    }
    return partitions > 0;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The committed changelog of the app's store, per partition in offset order, as a restore replays it:
 * the event count of every aggregate must never go down (an update written before an older one would
 * make a restore end on the older value: updates lost for the worker taking the task over).
 * @returns the aggregates whose count went down, as `<aggregate> <offset>: <count> after <count>`
 */
async function countsGoingDown(reader: Reader, app: AppCase): Promise<string[]> {
  const topic = `${app.applicationId}-${app.store}-changelog`;
  const fetched = await reader.fetch(
    Array.from({ length: INPUT_PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0, maxBytes: 64 << 20 })),
    { maxWaitMs: 0, isolationLevel: 'read_committed' },
  );
  const down: string[] = [];
  for (const p of fetched) {
    expect(p.error).toBeUndefined();
    const latest = new Map<string, number>();
    for (const r of p.records) {
      if (r.key === null || r.value === null) continue;
      const entry = app.changelogEntry(r.key);
      const count = app.changelogCount(r.value);
      const before = latest.get(entry) ?? 0;
      if (count < before) down.push(`${entry} ${p.partition}@${r.offset}: ${count} after ${before}`);
      latest.set(entry, count);
    }
  }
  return down;
}

/**
 * Window (`<service> <endpoint>@<start>`) -> its number of input events, for every window the app must
 * have emitted: each event counted exactly once, independently of any run.
 */
function expectedCounts(app: AppCase): Map<string, number> {
  const streamTime = new Map<number, number>();
  const partitionOf = (e: MetricEvent): number => partitionForKey(Buffer.from(app.keyOf(e)), INPUT_PARTITIONS);
  for (const e of EVENTS) streamTime.set(partitionOf(e), Math.max(streamTime.get(partitionOf(e)) ?? -1, e.timestamp));
  const counts = new Map<string, number>();
  for (const e of EVENTS) {
    const start = e.timestamp - (e.timestamp % WINDOW_MS);
    if (app.finalOnClose && streamTime.get(partitionOf(e))! < start + WINDOW_MS + GRACE_MS) continue;
    const id = `${e.service} ${e.endpoint}@${start}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The single-process reference: the same app module, the same input, on an embedded log. */
async function singleProcessRun(app: AppCase): Promise<Map<string, WindowMetrics>> {
  const log = await EmbeddedLog.open({ dir: join(dir, 'reference-log') });
  try {
    await createTopics(log);
    await produce(log, app, EVENTS);
    const { topology, config } = await loadApp(app.module);
    const streams = new TributaryStreams(topology, { ...config, commitIntervalMs: 200, log: { client: log }, stateDir: join(dir, 'reference-state') });
    await streams.start();
    await waitFor('the single-process run', () => allCommitted(log, app));
    await streams.close();
    return await finalWindows(log);
  } finally {
    await log.close();
  }
}

describe.each(CASES)('integration/workers: $name', (app) => {
  it('three worker processes on the broker; one SIGKILLed; the others restore its state and finish with the single-process windows', async () => {
    const reference = await singleProcessRun(app);
    expect(reference.size).toBeGreaterThan(30);
    expect(new Map([...reference].map(([id, w]) => [id, w.count]))).toEqual(expectedCounts(app));

    const client = new KafkajsLogClient({ brokers: [broker.bootstrap], logLevel: 'nothing' });
    try {
      await createTopics(client);
      const started = [startWorker(app, 'a'), startWorker(app, 'b'), startWorker(app, 'c')];
      const allTasks = (list: readonly Worker[]): Set<string> => new Set(list.flatMap((w) => w.state().tasks));
      await waitFor('three running workers sharing the tasks', () => {
        const n = allTasks(started).size;
        return n > 0 && n % 3 === 0 && started.every((w) => w.state().state === 'RUNNING' && w.state().tasks.length === n / 3);
      });
      const taskCount = allTasks(started).size;
      // Produced once the group is stable, so each task's state is built by the worker that owns it now.
      await produce(client, app, EVENTS.slice(0, EVENTS.length / 2));
      await waitFor('the workers committing the first half', () => someCommitted(client, app));
      // The second half goes in while the workers process; the kill lands at a random moment of that.
      const secondHalf = produce(client, app, EVENTS.slice(EVENTS.length / 2));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));

      // SIGKILL the worker holding the most tasks with state.
      const stateful = app.statefulTasks();
      const held = (w: Worker): string[] => w.state().tasks.filter((t) => stateful.has(t));
      const victim = [...started].sort((x, y) => held(y).length - held(x).length)[0]!;
      const moved = held(victim);
      expect(moved.length).toBeGreaterThan(0);
      const survivors = started.filter((w) => w !== victim);
      const before = new Map(survivors.map((w) => [w, w.state().tasks] as const));
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;

      await secondHalf;
      await waitFor('the survivors to own every task', () => survivors.every((w) => w.state().state === 'RUNNING') && allTasks(survivors).size === taskCount);
      // The coordinator notices the dead member after the 4 s session timeout; then one rebalance.
      expect(Date.now() - killedAt).toBeLessThan(4000 + 6000);
      // Sticky: the survivors keep their own tasks and split the victim's (2 + 2 of 12, or 1 + 1 of 6).
      for (const w of survivors) {
        expect(w.state().tasks).toEqual(expect.arrayContaining(before.get(w)!));
        expect(w.state().tasks).toHaveLength(taskCount / 2);
      }
      // What a restore replays is in order (checked again once everything is committed).
      expect(await countsGoingDown(client, app)).toEqual([]);
      await waitFor('the final windows of the single-process run', async () => isDeepStrictEqual(await finalWindows(client), reference));
      expect(await finalWindows(client)).toEqual(reference);

      // The survivors restored the moved stores from their changelogs.
      const restored = survivors.flatMap((w) => w.lines.filter((l) => l.startsWith('restored ')).map((l) => l.split(' ')));
      for (const task of moved) {
        const records = restored.filter(([, t, store]) => t === task && store === app.store).map((e) => Number(e[3]));
        expect(records.length, `restore of ${task}`).toBeGreaterThan(0);
        expect(Math.max(...records), `records restored for ${task}`).toBeGreaterThan(0);
      }

      // Graceful SIGTERM: commit, leave the group, exit 0.
      await waitFor('everything committed', () => allCommitted(client, app));
      expect(await countsGoingDown(client, app)).toEqual([]);
      for (const w of survivors) w.child.kill('SIGTERM');
      expect(await Promise.all(survivors.map((w) => w.exited))).toEqual([0, 0]);
      for (const w of survivors) expect(w.state().state).toBe('NOT_RUNNING');
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('integration/workers: tributary run', () => {
  function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
  }
  const fixture = CASES[1]!.module;

  it('exits 2 with a clear message for a bad command line or module', async () => {
    const notAnApp = fileURLToPath(new URL('../fixtures/broker-harness.ts', import.meta.url));
    const [none, both, badKey, badValue, noExports] = await Promise.all([
      run([fixture]),
      run([fixture, '--bootstrap', broker.bootstrap, '--data', dir]),
      run([fixture, '--data', dir, '--config', 'nope=1']),
      run([fixture, '--data', dir, '--config', 'commitIntervalMs=soon']),
      run([notAnApp, '--data', dir]),
    ]);
    expect(none).toMatchObject({ code: 2, err: expect.stringMatching(/exactly one of --bootstrap .* and --data/) });
    expect(both).toMatchObject({ code: 2, err: expect.stringMatching(/exactly one of/) });
    expect(badKey).toMatchObject({ code: 2, err: expect.stringMatching(/--config takes key=value/) });
    expect(badValue).toMatchObject({ code: 2, err: expect.stringMatching(/needs a number/) });
    expect(noExports).toMatchObject({ code: 2, err: expect.stringMatching(/must export "topology"/) });
  });

  it('--data runs the worker on an embedded log; SIGTERM commits, leaves and exits 0', async () => {
    const app = CASES[1]!;
    const data = join(dir, 'embedded');
    const events = EVENTS.slice(0, 500);
    const log = await EmbeddedLog.open({ dir: data });
    await createTopics(log);
    await produce(log, app, events);
    await log.close();

    const worker = spawn(process.execPath, [bin, 'run', app.module, '--data', data, '--state-dir', join(dir, 'state'), '--config', 'commitIntervalMs=100'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: worker.stdout! }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the worker running', () => lines.some((l) => l.startsWith('state RUNNING tasks ')));
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toBe('state NOT_RUNNING tasks -');

    const reopened = await EmbeddedLog.open({ dir: data });
    try {
      expect(await allCommitted(reopened, app)).toBe(true);
      const windows = await finalWindows(reopened);
      expect([...windows.values()].reduce((n, w) => n + w.count, 0)).toBeGreaterThan(0);
      const admin = reopened.admin();
      await admin.connect();
      const { groups } = await admin.describeGroups([app.applicationId]);
      expect(groups[0]!.members).toEqual([]);
      await admin.disconnect();
    } finally {
      await reopened.close();
    }
  });
});
