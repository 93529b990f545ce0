import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import type { EmbeddedConsumer } from '../../../core/clients/embedded/embedded-consumer.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-streams-group-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'left', numPartitions: 4 }, { topic: 'right', numPartitions: 4 }, { topic: 'output', numPartitions: 1 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

function topology() {
  const b = new StreamsBuilder();
  const left = b.stream<string, string>('left', { keySerde: str, valueSerde: str });
  const right = b.stream<string, string>('right', { keySerde: str, valueSerde: str });
  left.merge(right).to('output', { keySerde: str, valueSerde: str });
  return b.build();
}

function app(name: string): TributaryStreams {
  return new TributaryStreams(topology(), {
    applicationId: 'shared',
    log: { client: log },
    commitIntervalMs: 50,
    sessionTimeoutMs: 400,
    heartbeatIntervalMs: 50,
    stateDir: join(dir, `state-${name}`),
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function produceAll(from: number, count: number): Promise<void> {
  const p = log.producer();
  await p.connect();
  for (const topic of ['left', 'right']) {
    await p.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `${topic}-${from + i}`, partition: (from + i) % 4 })) });
  }
  await p.disconnect();
}

async function outputValues(): Promise<string[]> {
  const [f] = await log.fetch([{ topic: 'output', partition: 0, offset: 0, maxBytes: 1 << 24 }], { maxWaitMs: 0 });
  return f!.records.map((r) => r.value!.toString());
}

describe('core/runtime/streams-group', () => {
  it('instances with one applicationId divide whole tasks (co-partitioned inputs together) and take over on close', async () => {
    const a = app('a');
    const b = app('b');
    await a.start();
    expect(a.tasks()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    await b.start();
    await waitFor(() => a.tasks().length === 2 && b.tasks().length === 2 && a.state === 'RUNNING' && b.state === 'RUNNING');
    expect([...a.tasks(), ...b.tasks()].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    await produceAll(0, 40);
    await waitFor(async () => (await outputValues()).length === 80);
    await a.close();
    await waitFor(() => b.tasks().length === 4);
    await produceAll(40, 40);
    await waitFor(async () => (await outputValues()).length >= 160);
    const values = await outputValues();
    for (const topic of ['left', 'right']) for (let i = 0; i < 80; i++) expect(values).toContain(`${topic}-${i}`);
    await b.close();
  });

  it('takes over the tasks of an instance that stops heartbeating', async () => {
    const a = app('a');
    const b = app('b');
    await a.start();
    await b.start();
    await waitFor(() => a.tasks().length === 2 && b.tasks().length === 2);
    const hungTasks = a.tasks();
    // a hangs: no heartbeats, no fetches, but it never leaves the group
    ((a as unknown as { thread: { groupConsumer: EmbeddedConsumer } }).thread.groupConsumer).simulateHang();
    await waitFor(() => b.tasks().length === 4);
    expect(b.tasks()).toEqual(expect.arrayContaining(hungTasks));
    await produceAll(0, 20);
    await waitFor(async () => (await outputValues()).length === 40);
    await b.close();
    await a.close();
  });
});
