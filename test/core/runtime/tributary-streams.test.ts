import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import type { StreamsState } from '../../../core/runtime/streams-state.ts';
import type { CommitStepEvent } from '../../../core/runtime/task-manager.ts';
import { Topology } from '../../../core/topology/topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';
import { TopologyError, StreamsError } from '../../../core/errors/streams-errors.ts';
import { InvalidConfigError } from '../../../core/errors/log-errors.ts';
import type { StateStore } from '../../../core/processor/state-store.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import type { Record as StreamRecord } from '../../../core/processor/record.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-streams-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function createTopic(topic: string, numPartitions = 1): Promise<void> {
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

async function produce(topic: string, messages: { key?: string | null; value: string; partition?: number; timestamp?: number }[]): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({
    topic,
    messages: messages.map((m) => ({ key: m.key ?? null, value: m.value, ...(m.partition === undefined ? {} : { partition: m.partition }), ...(m.timestamp === undefined ? {} : { timestamp: String(m.timestamp) }) })),
  });
  await p.disconnect();
}

async function readAll(topic: string): Promise<{ key: string | null; value: string | null; partition: number; timestamp: number; headers: Record<string, string> }[]> {
  const admin = log.admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => ({ topics: [{ partitions: [] }] }));
  await admin.disconnect();
  const out = [];
  for (const p of meta.topics[0]!.partitions) {
    const [fetched] = await log.fetch([{ topic, partition: p.partitionId, offset: 0, maxBytes: 1 << 24 }], { maxWaitMs: 0 });
    for (const r of fetched!.records) {
      const headers: Record<string, string> = {};
      for (const h of r.headers) headers[h.key] = h.value?.toString() ?? '';
      out.push({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, partition: p.partitionId, timestamp: r.timestamp, headers });
    }
  }
  return out;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function upperTopology(): ReturnType<Topology['build']> {
  const b = new StreamsBuilder();
  b.stream<string, string>('input', { keySerde: str, valueSerde: str }).mapValues((v) => v.toUpperCase()).to('output', { keySerde: str, valueSerde: str });
  return b.build();
}

describe('core/runtime/tributary-streams', () => {
  it('goes CREATED -> REBALANCING -> RUNNING, processes, commits, and closes to NOT_RUNNING', async () => {
    await createTopic('input', 2);
    await createTopic('output', 2);
    await produce('input', [
      { key: 'a', value: 'one', partition: 0, timestamp: 10 },
      { key: 'b', value: 'two', partition: 1, timestamp: 20 },
    ]);
    const app = new TributaryStreams(upperTopology(), { applicationId: 'upper', log: { client: log }, commitIntervalMs: 50, stateDir: join(dir, 'state') });
    const states: string[] = [];
    const observed: StreamsState[] = [];
    app.on('stateChange', (n, o) => states.push(`${o}->${n}`));
    app.state$.subscribe((s) => observed.push(s));
    await app.start();
    expect(app.state).toBe('RUNNING');
    expect(app.tasks()).toEqual(['0_0', '0_1']);
    await produce('input', [{ key: 'c', value: 'three', partition: 0, timestamp: 30 }]);
    await waitFor(async () => (await readAll('output')).length === 3);
    const out = await readAll('output');
    expect(out.map((r) => `${r.key}=${r.value}@${r.timestamp}`).sort()).toEqual(['a=ONE@10', 'b=TWO@20', 'c=THREE@30']);
    await app.close();
    expect(states).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
    expect(observed).toEqual(['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    const admin = log.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'upper', topics: ['input'] });
    expect(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '2'],
      [1, '1'],
    ]);
    const groups = await admin.describeGroups(['upper']);
    expect(groups.groups[0]!.members).toEqual([]);
    await admin.disconnect();
  });

  it('commits in the numbered order: stores, producer, offsets, checkpoint', async () => {
    await createTopic('input');
    const flushed: string[] = [];
    const store: StateStore = {
      name: 'seen',
      persistent: false,
      init: () => undefined,
      flush: () => flushed.push('flush'),
      close: () => undefined,
      isOpen: () => true,
    };
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor('p', () => {
        let ctx!: ProcessorContext<string, string>;
        return {
          init: (c: ProcessorContext<string, string>) => (ctx = c),
          process: (r: StreamRecord<string, string>) => {
            ctx.getStateStore('seen');
            ctx.forward(r);
            if (r.value === 'commit-now') ctx.commit();
          },
        };
      }, 'in')
      .addStateStore({ name: 'seen', loggingEnabled: false, logConfig: {}, build: () => store }, 'p')
      .addSink('out', 'output', { keySerde: str, valueSerde: str }, 'p')
      .build();
    const events: CommitStepEvent[] = [];
    const app = new TributaryStreams(topology, { applicationId: 'steps', log: { client: log }, commitIntervalMs: 60_000, stateDir: join(dir, 'state') });
    app.on('commitStep', (e) => {
      events.push(e);
      if (e.step === 2) flushed.push('producer-flushed');
    });
    await app.start();
    await produce('input', [{ value: 'x' }, { value: 'commit-now' }]);
    await waitFor(() => events.some((e) => e.step === 4));
    expect(events.map((e) => `${e.step}:${e.name}`)).toEqual(['1:flush-stores', '2:flush-producer', '3:commit-offsets', '4:write-checkpoint']);
    expect(events[2]!.detail).toEqual(['input-0@2']);
    expect(flushed.slice(0, 2)).toEqual(['flush', 'producer-flushed']);
    // the output was durable before the offsets were committed
    expect((await readAll('output')).map((r) => r.value)).toEqual(['x', 'commit-now']);
    const checkpoint = join(dir, 'state', 'steps', '0_0', '.checkpoint');
    expect(events[3]!.detail).toEqual([checkpoint]);
    expect(readFileSync(checkpoint, 'utf8')).toBe('0\n0\n');
    await app.close();
  });

  it('fails start with a TopologyError on a co-partitioning mismatch, naming topics and counts', async () => {
    await createTopic('left', 2);
    await createTopic('right', 3);
    const topology = new Topology()
      .addSource('s', ['left', 'right'], { keySerde: str, valueSerde: str })
      .addSink('out', 'output', { keySerde: str, valueSerde: str }, 's')
      .build();
    const app = new TributaryStreams(topology, { applicationId: 'copart', log: { client: log }, stateDir: join(dir, 'state') });
    const err = await app.start().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as Error).message).toMatch(/left \(2\), right \(3\)/);
    expect(app.state).toBe('ERROR');
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('refuses malformed kafka backend options with a typed config error, and a missing source topic at start', async () => {
    expect(() => new TributaryStreams(upperTopology(), { applicationId: 'k', log: { kafka: { brokers: [] } } })).toThrow(InvalidConfigError);
    expect(() => new TributaryStreams(upperTopology(), { applicationId: 'k', log: { kafka: { brokers: ['no-port'] } } })).toThrow(InvalidConfigError);
    const app = new TributaryStreams(upperTopology(), { applicationId: 'missing', log: { client: log }, stateDir: join(dir, 'state') });
    await expect(app.start()).rejects.toThrow(/source topic\(s\) "input" do not exist/);
  });

  it('creates repartition topics and runs both sub-topologies', async () => {
    await createTopic('words', 3);
    const b = new StreamsBuilder();
    b.stream<string, string>('words', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v.charAt(0))
      .repartition({ name: 'by-letter', keySerde: str, valueSerde: str })
      .mapValues((v, k) => `${k}:${v}`)
      .to('letters', { keySerde: str, valueSerde: str });
    const app = new TributaryStreams(b.build(), { applicationId: 'rp', log: { client: log }, commitIntervalMs: 50, stateDir: join(dir, 'state') });
    await app.start();
    expect(app.tasks()).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1', '1_2']);
    await produce('words', [{ value: 'apple', partition: 0 }, { value: 'avocado', partition: 1 }, { value: 'banana', partition: 2 }]);
    await waitFor(async () => (await readAll('letters')).length === 3);
    const admin = log.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['rp-by-letter-repartition'] });
    expect(meta.topics[0]!.partitions.length).toBe(3);
    await admin.disconnect();
    const rp = await readAll('rp-by-letter-repartition');
    // same key -> same repartition partition
    const parts = new Map(rp.map((r) => [r.value, r.partition]));
    expect(parts.get('apple')).toBe(parts.get('avocado'));
    expect((await readAll('letters')).map((r) => r.value).sort()).toEqual(['a:apple', 'a:avocado', 'b:banana']);
    await app.close();
  });

  it('sends undeserializable records to the dead-letter topic with origin headers', async () => {
    await createTopic('events');
    const b = new StreamsBuilder();
    b.stream<string, { n: number }>('events', { keySerde: str, valueSerde: Serdes.json<{ n: number }>() }).to('good', { keySerde: str, valueSerde: Serdes.json() });
    const app = new TributaryStreams(b.build(), {
      applicationId: 'dlq',
      log: { client: log },
      commitIntervalMs: 50,
      deserializationErrorHandler: { deadLetterTopic: 'events-dlq' },
      stateDir: join(dir, 'state'),
    });
    await app.start();
    await produce('events', [{ key: 'a', value: '{"n":1}' }, { key: 'b', value: 'not json' }, { key: 'c', value: '{"n":3}' }]);
    await waitFor(async () => (await readAll('good')).length === 2);
    await waitFor(async () => (await readAll('events-dlq').catch(() => [])).length === 1);
    const [dead] = await readAll('events-dlq');
    expect(dead!.key).toBe('b');
    expect(dead!.value).toBe('not json');
    expect(dead!.headers['__tributary.topic']).toBe('events');
    expect(dead!.headers['__tributary.partition']).toBe('0');
    expect(dead!.headers['__tributary.offset']).toBe('1');
    expect(dead!.headers['__tributary.error']).toMatch(/events-0@1/);
    await app.close();
  });

  it('moves to ERROR when a record does not deserialize under logAndFail, and reports the error', async () => {
    await createTopic('events');
    const b = new StreamsBuilder();
    b.stream<string, { n: number }>('events', { keySerde: str, valueSerde: Serdes.json<{ n: number }>() }).to('good', { keySerde: str, valueSerde: Serdes.json() });
    const app = new TributaryStreams(b.build(), { applicationId: 'failing', log: { client: log }, stateDir: join(dir, 'state'), logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const errors: StreamsError[] = [];
    app.on('error', (e) => errors.push(e));
    await app.start();
    await produce('events', [{ value: 'nope' }]);
    await waitFor(() => app.state === 'ERROR');
    expect(errors[0]).toBeInstanceOf(StreamsError);
    expect(errors[0]!.message).toMatch(/events-0 at offset 0/);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('pauses a partition whose queue is full and still processes everything (bounded buffering)', async () => {
    await createTopic('input');
    await createTopic('output');
    const n = 3000;
    for (let i = 0; i < n; i += 100) await produce('input', Array.from({ length: 100 }, (_, j) => ({ key: String(i + j), value: `v${i + j}` })));
    const app = new TributaryStreams(upperTopology(), {
      applicationId: 'bounded',
      log: { client: log },
      maxBufferedRecordsPerPartition: 50,
      fetchMaxBytesPerPartition: 2048,
      maxRecordsPerTaskPerTurn: 10,
      commitIntervalMs: 100,
      stateDir: join(dir, 'state'),
    });
    let maxBuffered = 0;
    const sub = app.metrics$.subscribe(() => undefined);
    await app.start();
    await waitFor(async () => {
      for (const t of app.metricsSnapshot().tasks) maxBuffered = Math.max(maxBuffered, t.buffered);
      return app.metricsSnapshot().recordsProcessed === n;
    });
    sub.unsubscribe();
    // a queue may overshoot the limit by at most one fetch (2 KiB here, under 100 records)
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(50 + 100);
    const out = await readAll('output');
    expect(out.length).toBe(n);
    expect(out.map((r) => r.value)).toEqual(Array.from({ length: n }, (_, i) => `V${i}`));
    await app.close();
    expect(existsSync(join(dir, 'state', 'bounded'))).toBe(false); // stateless tasks write no checkpoint
  });

  it('emits metrics$ snapshots with records processed, rate, commits and per-task lag', async () => {
    await createTopic('input', 2);
    await createTopic('output');
    await produce('input', Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v', partition: i % 2 })));
    const app = new TributaryStreams(upperTopology(), { applicationId: 'metrics', log: { client: log }, commitIntervalMs: 10, metricsIntervalMs: 20, stateDir: join(dir, 'state') });
    const snaps: import('../../../core/runtime/streams-metrics.ts').StreamsMetricsSnapshot[] = [];
    const sub = app.metrics$.subscribe((s) => snaps.push(s));
    await app.start();
    await waitFor(() => snaps.some((s) => s.recordsProcessed === 10 && s.commitCount > 0));
    sub.unsubscribe();
    const last = snaps.find((s) => s.recordsProcessed === 10 && s.commitCount > 0)!;
    expect(last.tasks.map((t) => t.taskId)).toEqual(['0_0', '0_1']);
    expect(last.tasks.reduce((n, t) => n + t.processed, 0)).toBe(10);
    expect(last.tasks.every((t) => t.lag === 0 && t.buffered === 0)).toBe(true);
    expect(snaps.some((s) => s.recordsPerSec > 0)).toBe(true);
    expect(last.commitLatencyMaxMs).toBeGreaterThanOrEqual(0);
    await app.close();
  });
});
