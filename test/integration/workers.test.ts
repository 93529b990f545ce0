/**
 * Topology workers across processes: three `tributary run` processes run the metrics aggregation against
 * one Kafka-protocol broker through kafkajs; one is killed with SIGKILL; within the session timeout its
 * tasks move to the other two, which restore the window aggregates from the changelogs and carry on; the
 * final windows equal those of a single-process run of the same input on the embedded log.
 *
 * The kill lands between the two halves of the input, once the group has committed everything it
 * processed: under at-least-once a worker killed in the middle of a commit interval leaves its
 * uncommitted records to be processed again (repartition records and changelog updates included), which
 * double-counts them; equality with a single run is the guarantee of a crash at a committed point.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { KafkajsLogClient } from '../../core/clients/kafkajs/kafkajs-log-client.ts';
import type { FetchedPartition, FetchRequest } from '../../core/clients/embedded/embedded-log.ts';
import type { LogClient } from '../../core/clients/log-client.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { loadApp } from '../../cli/run-command.ts';
import { EVENTS_TOPIC, type MetricEvent } from '../../examples/metrics-aggregation/metric-event.ts';
import { generateMetricEvents } from '../../examples/metrics-aggregation/metrics-generator.ts';
import { WINDOW_METRICS_TOPIC, windowMetricsSerde, type WindowMetrics } from '../../examples/metrics-aggregation/window-metrics.ts';
import { APPLICATION_ID, STORE, windowIdOf } from '../fixtures/worker-metrics-app.ts';
import { startTestBroker, type TestBroker } from '../fixtures/broker-harness.ts';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const APP_MODULE = fileURLToPath(new URL('../fixtures/worker-metrics-app.ts', import.meta.url));
const INPUT_PARTITIONS = 6;
const OUTPUT_PARTITIONS = 3;
const EVENTS: readonly MetricEvent[] = [...generateMetricEvents(8000, { eventsPerSecond: 20 })];

type Reader = { fetch(requests: readonly FetchRequest[], options: { maxWaitMs: number }): Promise<FetchedPartition[]> };

/** One worker process and what it printed. */
interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** The tasks of the last `state ... tasks ...` line, and that state. */
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

function startWorker(name: string): Worker {
  const child = spawn(process.execPath, [bin, 'run', APP_MODULE, '--bootstrap', broker.bootstrap, '--state-dir', join(dir, `state-${name}`)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

async function produce(client: LogClient, events: readonly MetricEvent[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < events.length; i += 1000) {
    const messages = events.slice(i, i + 1000).map((e) => ({ key: e.service, value: JSON.stringify(e), timestamp: String(e.timestamp) }));
    await producer.send({ topic: EVENTS_TOPIC, messages });
  }
  await producer.disconnect();
}

/** The output topic as window id -> latest result. */
async function finalWindows(reader: Reader): Promise<Map<string, WindowMetrics>> {
  const out = new Map<string, WindowMetrics>();
  const fetched = await reader.fetch(
    Array.from({ length: OUTPUT_PARTITIONS }, (_, partition) => ({ topic: WINDOW_METRICS_TOPIC, partition, offset: 0, maxBytes: 64 << 20 })),
    { maxWaitMs: 0 },
  );
  for (const p of fetched) for (const r of p.records) out.set(r.key!.toString(), windowMetricsSerde.deserialize(WINDOW_METRICS_TOPIC, r.value)!);
  return out;
}

/** Every window has counted all its events (the run is complete). */
async function complete(reader: Reader, events: readonly MetricEvent[]): Promise<boolean> {
  const want = new Map<string, number>();
  for (const e of events) want.set(windowIdOf(e), (want.get(windowIdOf(e)) ?? 0) + 1);
  const got = await finalWindows(reader);
  return got.size === want.size && [...want].every(([id, n]) => got.get(id)?.count === n);
}

/** Committed offsets of the group cover everything in the input and repartition topics. */
async function allCommitted(client: KafkajsLogClient): Promise<boolean> {
  const admin = client.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t === EVENTS_TOPIC || (t.startsWith(`${APPLICATION_ID}-`) && t.endsWith('-repartition')));
    const committed = new Map((await admin.fetchGroupLag({ groupId: APPLICATION_ID })).map((l) => [`${l.topic}-${l.partition}`, Number(l.offset)]));
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > 0 && (committed.get(`${topic}-${p.partition}`) ?? -1) < Number(p.high)) return false;
      }
    }
    return topics.length === 2;
  } finally {
    await admin.disconnect();
  }
}

/** The single-process reference: the same app module on an embedded log. */
async function singleProcessRun(): Promise<Map<string, WindowMetrics>> {
  const log = await EmbeddedLog.open({ dir: join(dir, 'reference-log') });
  try {
    await createTopics(log);
    await produce(log, EVENTS);
    const { topology, config } = await loadApp(APP_MODULE);
    const app = new TributaryStreams(topology, { ...config, log: { client: log }, stateDir: join(dir, 'reference-state') });
    await app.start();
    await waitFor('the single-process run', () => complete(log, EVENTS));
    await app.close();
    return await finalWindows(log);
  } finally {
    await log.close();
  }
}

describe('integration/workers', () => {
  it('three worker processes on the broker; one SIGKILLed; the others restore its state and finish with the single-process windows', async () => {
    const reference = await singleProcessRun();
    expect(reference.size).toBeGreaterThan(40);

    const client = new KafkajsLogClient({ brokers: [broker.bootstrap], logLevel: 'nothing' });
    try {
      await createTopics(client);
      const started = [startWorker('a'), startWorker('b'), startWorker('c')];
      const allTasks = (list: readonly Worker[]): string[] => list.flatMap((w) => w.state().tasks).sort();
      await waitFor('three running workers sharing the 12 tasks', () =>
        started.every((w) => w.state().state === 'RUNNING' && w.state().tasks.length === 4) && new Set(allTasks(started)).size === 12,
      );
      // Produced once the group is stable, so each task's state is built by the worker that owns it now.
      const firstHalf = EVENTS.slice(0, EVENTS.length / 2);
      await produce(client, firstHalf);
      await waitFor('the first half processed and committed', async () => (await complete(client, firstHalf)) && (await allCommitted(client)));

      // SIGKILL the worker holding the most stateful tasks (sub-topology 1 holds the aggregate store).
      const victim = [...started].sort((x, y) => y.state().tasks.filter((t) => t.startsWith('1_')).length - x.state().tasks.filter((t) => t.startsWith('1_')).length)[0]!;
      const movedStateful = victim.state().tasks.filter((t) => t.startsWith('1_'));
      expect(movedStateful.length).toBeGreaterThan(0);
      const survivors = started.filter((w) => w !== victim);
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;

      await produce(client, EVENTS.slice(EVENTS.length / 2));
      await waitFor('the survivors to own every task', () =>
        survivors.every((w) => w.state().state === 'RUNNING') && new Set(allTasks(survivors)).size === 12,
      );
      const movedAfterMs = Date.now() - killedAt;
      // Session timeout (4 s) + a heartbeat + a rebalance: well within the session timeout of the survivors' own view.
      expect(movedAfterMs).toBeLessThan(4000 + 6000);
      await waitFor('the whole input processed', () => complete(client, EVENTS));

      // The survivors restored the moved aggregate stores from their changelogs.
      const restored = survivors.flatMap((w) => w.lines.filter((l) => l.startsWith('restored ')).map((l) => l.split(' ')));
      for (const task of movedStateful) {
        const entries = restored.filter(([, t, store]) => t === task && store === STORE);
        expect(entries.length, `restore of ${task}`).toBeGreaterThan(0);
        expect(Math.max(...entries.map((e) => Number(e[3])))).toBeGreaterThan(0);
      }

      const windows = await finalWindows(client);
      expect(windows.size).toBe(reference.size);
      expect(windows).toEqual(reference);

      // Graceful SIGTERM: commit, leave the group, exit 0.
      for (const w of survivors) w.child.kill('SIGTERM');
      expect(await Promise.all(survivors.map((w) => w.exited))).toEqual([0, 0]);
      for (const w of survivors) expect(w.state().state).toBe('NOT_RUNNING');
    } finally {
      await client.close();
    }
  }, 60_000);
});
