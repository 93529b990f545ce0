import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import type { RestoreProgress } from '../../core/runtime/store-changelog-reader.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-global-table-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: ['users', 'views', 'out'].map((topic) => ({ topic, numPartitions: 2 })) });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function produce(topic: string, messages: [string, string | null][], timestamp?: number): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({
    topic,
    messages: messages.map(([key, value]) => ({ key, value, ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }) })),
  });
  await p.disconnect();
}

async function outputs(): Promise<string[]> {
  const out: string[] = [];
  for (const partition of [0, 1]) {
    const [f] = await log.fetch([{ topic: 'out', partition, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
    for (const r of f!.records) out.push(`${r.key?.toString()}=${r.value?.toString()}`);
  }
  return out.sort();
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function app(stateDir: string, restores: RestoreProgress[]): TributaryStreams {
  const b = new StreamsBuilder();
  const users = b.globalTable<string, string>('users', { keySerde: str, valueSerde: str, storeName: 'users' });
  b.stream<string, string>('views', { keySerde: str, valueSerde: str })
    .leftJoin(users, (_id, view) => view.split(':')[0]!, (view, user) => `${view}@${user ?? '?'}`)
    .to('out', { keySerde: str, valueSerde: str });
  const a = new TributaryStreams(b.build(), { applicationId: 'global-table', log: { client: log }, commitIntervalMs: 20, stateDir });
  a.on('restore', (p) => restores.push(p));
  return a;
}

describe('operators/global-k-table on the embedded log (2 partitions)', () => {
  it('a DSL global table (LMDB) is restored from its topic (values with their record timestamps), joined by every task, resumed past its checkpoint and rebuilt after the state is deleted', async () => {
    const t0 = Date.now() - 60_000;
    await produce('users', [['ann', 'Ann'], ['bob', 'Bob'], ['cid', 'Cid']], t0);
    const restores: RestoreProgress[] = [];
    const a = app(join(dir, 'state'), restores);
    await a.start();
    expect(restores.filter((p) => p.done && p.taskId === 'global').reduce((n, p) => n + p.restored, 0)).toBe(3);
    // restored from the raw topic records: the timestamped store holds the value and the record timestamp
    expect(a.store<string, string, 'timestampedKeyValue'>('users', 'timestampedKeyValue').get('bob')).toEqual({ value: 'Bob', timestamp: t0 });
    expect(a.store<string, string>('users').get('bob')).toBe('Bob');

    await produce('views', [['v1', 'ann:/a'], ['v2', 'bob:/b'], ['v3', 'cid:/c'], ['v4', 'dan:/d']]);
    await waitFor(async () => (await outputs()).length === 4);
    expect(await outputs()).toEqual(['v1=ann:/a@Ann', 'v2=bob:/b@Bob', 'v3=cid:/c@Cid', 'v4=dan:/d@?']);
    await produce('users', [['dan', 'Dan'], ['ann', null]]);
    await waitFor(async () => a.store<string, string>('users').get('dan') === 'Dan');
    await a.close();

    // the topic changes while the application is down; the restart replays only what is past the checkpoint
    await produce('users', [['eve', 'Eve']], t0 + 5);
    const again: RestoreProgress[] = [];
    const b = app(join(dir, 'state'), again);
    await b.start();
    expect(again.filter((p) => p.done && p.taskId === 'global').reduce((n, p) => n + p.restored, 0)).toBe(1);
    expect(b.store<string, string, 'timestampedKeyValue'>('users', 'timestampedKeyValue').get('eve')).toEqual({ value: 'Eve', timestamp: t0 + 5 });
    await produce('views', [['v5', 'eve:/e'], ['v6', 'ann:/a'], ['v7', 'dan:/d']]);
    await waitFor(async () => (await outputs()).length === 7);
    expect((await outputs()).slice(4).sort()).toEqual(['v5=eve:/e@Eve', 'v6=ann:/a@?', 'v7=dan:/d@Dan']);
    await b.close();

    // deleted state: rebuilt from the whole topic
    rmSync(join(dir, 'state'), { recursive: true, force: true });
    const full: RestoreProgress[] = [];
    const c = app(join(dir, 'state'), full);
    await c.start();
    expect(full.filter((p) => p.done && p.taskId === 'global').reduce((n, p) => n + p.restored, 0)).toBe(6);
    expect([...c.store<string, string>('users').all()].map((kv) => `${kv.key}=${kv.value}`).sort()).toEqual(['bob=Bob', 'cid=Cid', 'dan=Dan', 'eve=Eve']);
    await c.close();
  });
});
