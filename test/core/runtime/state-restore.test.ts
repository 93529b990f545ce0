import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import type { CommitStepEvent } from '../../../core/runtime/task-manager.ts';
import type { RestoreProgress } from '../../../core/runtime/store-changelog-reader.ts';
import type { PhysicalTopology } from '../../../core/topology/physical-topology.ts';
import { countTopology } from '../../fixtures/count-topology.ts';

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-restore-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function createTopics(partitions: number): Promise<void> {
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'input', numPartitions: partitions }, { topic: 'output', numPartitions: partitions }] });
  await admin.disconnect();
}

/** `n` records over `keys` keys (`k0`..), starting at record `from`. */
async function produce(n: number, keys: number, from = 0): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic: 'input', messages: Array.from({ length: n }, (_, i) => ({ key: `k${(from + i) % keys}`, value: 'x' })) });
  await p.disconnect();
}

/** Latest value per key of a changelog partition, and how many records it holds. */
async function changelog(topic: string, partition = 0): Promise<{ latest: Map<string, string>; size: number }> {
  const [fetched] = await log.fetch([{ topic, partition, offset: 0, maxBytes: 1 << 26 }], { maxWaitMs: 0 });
  const latest = new Map<string, string>();
  for (const r of fetched!.records) {
    if (r.value === null) latest.delete(r.key!.toString());
    else latest.set(r.key!.toString(), r.value.toString());
  }
  return { latest, size: fetched!.records.length };
}

function dump(app: TributaryStreams): Map<string, string> {
  const out = new Map<string, string>();
  for (const { key, value } of app.store<string, string>('counts').all()) out.set(key, value);
  return out;
}

function total(m: Map<string, string>): number {
  let n = 0;
  for (const v of m.values()) n += Number(v);
  return n;
}

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function countsReach(app: TributaryStreams, n: number): () => boolean {
  return () => {
    try {
      return total(dump(app)) >= n;
    } catch {
      return false;
    }
  };
}

function startApp(topology: PhysicalTopology, stateDir: string, restores: RestoreProgress[], extra: { commitIntervalMs?: number } = {}): TributaryStreams {
  const app = new TributaryStreams(topology, {
    applicationId: 'restore-app',
    log: { client: log },
    commitIntervalMs: extra.commitIntervalMs ?? 100,
    stateDir,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 100,
  });
  app.on('restore', (p) => restores.push(p));
  return app;
}

const CHANGELOG = 'restore-app-counts-changelog';

describe('core/runtime/state restore', () => {
  it('a restart restores only the changelog tail past the LMDB checkpoint; a deleted state directory is rebuilt identically from the changelog', async () => {
    await createTopics(1);
    await produce(200, 20);
    const stateDir = join(dir, 'state');

    const restores1: RestoreProgress[] = [];
    const app1 = startApp(countTopology(), stateDir, restores1);
    await app1.start();
    await waitFor(countsReach(app1, 200));
    await app1.close();
    const done1 = restores1.filter((p) => p.done);
    expect(done1).toHaveLength(1);
    expect(done1[0]).toMatchObject({ store: 'counts', taskId: '0_0', topic: CHANGELOG, partition: 0, restored: 0, total: 0 });

    const { size: sizeAfter1 } = await changelog(CHANGELOG);
    expect(sizeAfter1).toBeGreaterThan(0);

    // Restart on the same state directory: the checkpoint written at close covers the whole changelog.
    const restores2: RestoreProgress[] = [];
    const app2 = startApp(countTopology(), stateDir, restores2);
    await app2.start();
    const done2 = restores2.filter((p) => p.done);
    expect(done2[0]!.restored).toBe(0);
    expect(done2[0]!.startOffset).toBe(sizeAfter1);
    expect(total(dump(app2))).toBe(200);
    await produce(100, 20, 200);
    await waitFor(countsReach(app2, 300));
    const before = dump(app2);
    await app2.close();
    const cl = await changelog(CHANGELOG);
    expect(before).toEqual(cl.latest);
    for (let k = 0; k < 20; k++) expect(before.get(`k${k}`)).toBe('15');

    // The state directory is gone: the whole changelog is replayed into fresh stores.
    rmSync(stateDir, { recursive: true, force: true });
    const restores3: RestoreProgress[] = [];
    const app3 = startApp(countTopology(), stateDir, restores3);
    const observed: RestoreProgress[] = [];
    app3.restore$.subscribe((p) => observed.push(p));
    await app3.start();
    const done3 = restores3.filter((p) => p.done);
    expect(done3[0]).toMatchObject({ startOffset: 0, total: cl.size, restored: cl.size });
    expect(observed.at(-1)).toEqual(restores3.at(-1));
    expect(dump(app3)).toEqual(before);
    await app3.close();
  });

  it('corrupt local LMDB data is discarded and the store restored from the start of its changelog', async () => {
    await createTopics(1);
    await produce(100, 10);
    const stateDir = join(dir, 'state');
    const app1 = startApp(countTopology(), stateDir, []);
    await app1.start();
    await waitFor(countsReach(app1, 100));
    await app1.close();
    const dataFile = join(stateDir, 'restore-app', '0_0', 'lmdb', 'data.mdb');
    expect(existsSync(dataFile)).toBe(true);
    writeFileSync(dataFile, Buffer.alloc(64 * 1024, 0x5a));
    const { size } = await changelog(CHANGELOG);

    const restores: RestoreProgress[] = [];
    const app2 = startApp(countTopology(), stateDir, restores);
    await app2.start();
    expect(restores.filter((p) => p.done)[0]).toMatchObject({ startOffset: 0, restored: size });
    expect(total(dump(app2))).toBe(100);
    await app2.close();
  });

  it('in-memory stores restore the whole changelog on every start', async () => {
    await createTopics(1);
    await produce(50, 5);
    const stateDir = join(dir, 'state');
    const app1 = startApp(countTopology({ kind: 'memory' }), stateDir, []);
    await app1.start();
    await waitFor(countsReach(app1, 50));
    await app1.close();
    const { size, latest } = await changelog(CHANGELOG);
    const restores: RestoreProgress[] = [];
    const app2 = startApp(countTopology({ kind: 'memory' }), stateDir, restores);
    await app2.start();
    expect(restores.filter((p) => p.done)[0]).toMatchObject({ startOffset: 0, restored: size });
    expect(dump(app2)).toEqual(latest);
    await app2.close();
  });

  it('commit step 2 reports the acknowledged changelog offsets and step 4 checkpoints them in LMDB and in the checkpoint file', async () => {
    await createTopics(1);
    const stateDir = join(dir, 'state');
    const events: CommitStepEvent[] = [];
    const app = startApp(countTopology({ caching: false }), stateDir, [], { commitIntervalMs: 60_000 });
    app.on('commitStep', (e) => events.push(e));
    await app.start();
    await produce(10, 3);
    await waitFor(countsReach(app, 10));
    await app.commit();
    const last = events.slice(-4);
    expect(last.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    // caching off: one changelog record per input record, offsets 0..9
    expect(last[1]!.detail).toEqual([`${CHANGELOG}-0@9`]);
    expect(last[2]!.detail).toEqual(['input-0@10']);
    const file = join(stateDir, 'restore-app', '0_0', '.checkpoint');
    expect(last[3]!.detail).toEqual([file]);
    expect(readFileSync(file, 'utf8')).toBe(`0\n1\n${CHANGELOG} 0 9\n`);
    await app.close();
    const restores: RestoreProgress[] = [];
    const again = startApp(countTopology({ caching: false }), stateDir, restores);
    await again.start();
    expect(restores.filter((p) => p.done)[0]).toMatchObject({ startOffset: 10, restored: 0 });
    await again.close();
  });

  it('a task moved to a second instance restores from the changelog there and continues with the correct aggregate', async () => {
    await createTopics(2);
    await produce(400, 40);
    const restoresA: RestoreProgress[] = [];
    const a = startApp(countTopology(), join(dir, 'state-a'), restoresA);
    await a.start();
    expect(a.tasks()).toEqual(['0_0', '0_1']);
    await waitFor(countsReach(a, 400));
    await a.commit();

    const restoresB: RestoreProgress[] = [];
    const b = startApp(countTopology(), join(dir, 'state-b'), restoresB);
    await b.start();
    await waitFor(() => a.tasks().length === 1 && b.tasks().length === 1 && a.state === 'RUNNING' && b.state === 'RUNNING');
    const moved = b.tasks()[0]!;
    // the task a kept across the rebalance was suspended and resumed, not closed and restored again
    const kept = a.tasks()[0]!;
    expect(restoresA.filter((p) => p.done && p.taskId === kept)).toHaveLength(1);
    const doneB = restoresB.filter((p) => p.done && p.taskId === moved);
    expect(doneB).toHaveLength(1);
    expect(doneB[0]!.startOffset).toBe(0);
    expect(doneB[0]!.restored).toBeGreaterThan(0);
    // the moved task's keys are now answered by b, with the counts a had
    expect(total(dump(b))).toBeGreaterThan(0);
    expect(total(dump(a)) + total(dump(b))).toBe(400);

    await produce(400, 40, 400);
    await waitFor(() => {
      try {
        return total(dump(a)) + total(dump(b)) >= 800;
      } catch {
        return false;
      }
    });
    const merged = new Map([...dump(a), ...dump(b)]);
    expect(merged.size).toBe(40);
    for (const [key, value] of merged) expect(`${key}=${value}`).toBe(`${key}=20`);
    await b.close();
    await a.close();
  });
});
