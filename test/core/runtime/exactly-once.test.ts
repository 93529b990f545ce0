import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import type { CommitStepEvent } from '../../../core/runtime/task-manager.ts';
import { PROCESS_METADATA_FILE } from '../../../core/runtime/process-id.ts';
import { resolveStreamsConfig } from '../../../core/runtime/streams-config.ts';
import { CHECKPOINT_FILE } from '../../../core/runtime/checkpoint-file.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';
import { countTopology } from '../../fixtures/count-topology.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-eos-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 1 }, { topic: 'output', numPartitions: 1 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function produce(values: string[], key = 'k'): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic: 'input', messages: values.map((value) => ({ key, value })) });
  await p.disconnect();
}

async function outputValues(isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const [p] = await log.fetch([{ topic: 'output', partition: 0, offset: 0, maxBytes: 1 << 24 }], { maxWaitMs: 0, isolationLevel });
  return p!.records.map((r) => r.value!.toString());
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function upper(fail?: string) {
  const b = new StreamsBuilder();
  b.stream<string, string>('input', { keySerde: str, valueSerde: str })
    .mapValues((v) => {
      if (v === fail) throw new Error(`poison ${v}`);
      return v.toUpperCase();
    })
    .to('output', { keySerde: str, valueSerde: str });
  return b.build();
}

describe('core/runtime/exactly-once', () => {
  it('config: exactly_once_v2 commits every 100 ms and times transactions out after 10 s by default; other guarantees are refused', () => {
    const eos = resolveStreamsConfig({ applicationId: 'a', log: { client: log }, processingGuarantee: 'exactly_once_v2' });
    expect(eos.commitIntervalMs).toBe(100);
    expect(eos.transactionTimeoutMs).toBe(10_000);
    expect(resolveStreamsConfig({ applicationId: 'a', log: { client: log } }).commitIntervalMs).toBe(30_000);
    expect(() => resolveStreamsConfig({ applicationId: 'a', log: { client: log }, processingGuarantee: 'exactly_once' as never })).toThrow(/processingGuarantee/);
  });

  it('outputs stay invisible to read_committed readers until the commit, then appear with the committed offsets; the process id is stable per state directory', async () => {
    const stateDir = join(dir, 'state');
    const app = new TributaryStreams(upper(), {
      applicationId: 'eos-upper',
      log: { client: log },
      stateDir,
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 60_000,
    });
    const steps: CommitStepEvent[] = [];
    app.on('commitStep', (e) => steps.push(e));
    await app.start();
    await produce(['a', 'b', 'c']);
    await waitFor(async () => (await outputValues('read_uncommitted')).length === 3);
    expect(await outputValues('read_committed')).toEqual([]);
    const admin = log.admin();
    await admin.connect();
    const committed = async () => (await admin.fetchOffsets({ groupId: 'eos-upper', topics: ['input'] }))[0]!.partitions[0]!.offset;
    expect(await committed()).toBe('-1');

    await app.commit();
    expect(await outputValues('read_committed')).toEqual(['A', 'B', 'C']);
    expect(await committed()).toBe('3');
    expect(steps.map((s) => s.name)).toEqual(['flush-stores', 'flush-producer', 'commit-offsets', 'write-checkpoint']);
    expect(steps[2]!.detail).toEqual(['input-0@3']);
    await app.close();
    await admin.disconnect();

    const file = join(stateDir, 'eos-upper', PROCESS_METADATA_FILE);
    const processId = (JSON.parse(readFileSync(file, 'utf8')) as { processId: string }).processId;
    expect(processId).toMatch(/^[0-9a-f-]{36}$/);
    const again = new TributaryStreams(upper(), { applicationId: 'eos-upper', log: { client: log }, stateDir, processingGuarantee: 'exactly_once_v2' });
    await again.start();
    expect(log.transactions.describeTransaction(`eos-upper-${processId}-1`)?.producerEpoch).toBeGreaterThan(0);
    await again.close();
  });

  it('a fatal processing error aborts the open transaction: nothing of the failed interval becomes visible', async () => {
    const app = new TributaryStreams(upper('poison'), {
      applicationId: 'eos-fatal',
      log: { client: log },
      stateDir: join(dir, 'state'),
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 60_000,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const errors: unknown[] = [];
    app.on('error', (e) => errors.push(e));
    await app.start();
    await produce(['a', 'b']);
    await waitFor(async () => (await outputValues('read_uncommitted')).length === 2);
    await produce(['poison']);
    await waitFor(() => app.state === 'ERROR');
    expect(errors).toHaveLength(1);
    await app.close();
    expect(await outputValues('read_uncommitted')).toEqual(['A', 'B']);
    expect(await outputValues('read_committed')).toEqual([]);
    const [p] = await log.fetch([{ topic: 'output', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0, isolationLevel: 'read_committed' });
    expect(p!.lastStableOffset).toBe(p!.highWatermark);
  });

  it('a stateful task keeps its checkpoint file only while not processing, and a producer fenced mid-run is replaced: tasks rebuilt from the changelog, every record counted once', async () => {
    const stateDir = join(dir, 'state');
    const app = new TributaryStreams(countTopology({ kind: 'lmdb' }), {
      applicationId: 'eos-count',
      log: { client: log },
      stateDir,
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 60_000,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const checkpoint = join(stateDir, 'eos-count', '0_0', CHECKPOINT_FILE);
    await app.start();
    await produce(['x', 'x', 'x']);
    await waitFor(async () => (await outputValues('read_uncommitted')).length === 3);
    expect(existsSync(checkpoint)).toBe(false);
    await app.commit();
    expect(await outputValues('read_committed')).toEqual(['1', '2', '3']);

    // Two more records in an open transaction, then a zombie-fencing producer with the app's transactional id.
    await produce(['x', 'x']);
    await waitFor(async () => (await outputValues('read_uncommitted')).length === 5);
    const processId = (JSON.parse(readFileSync(join(stateDir, 'eos-count', PROCESS_METADATA_FILE), 'utf8')) as { processId: string }).processId;
    const fencer = log.producer({ transactionalId: `eos-count-${processId}-1` });
    await fencer.connect();
    await fencer.disconnect();
    // The app's next commit fails (fenced): it aborts, rebuilds the task from the changelog and reprocesses 4 and 5.
    await expect(app.commit()).rejects.toThrow(/fenced|migrated/);
    await waitFor(async () => (await outputValues('read_uncommitted')).length === 7);
    expect(await outputValues('read_uncommitted')).toEqual(['1', '2', '3', '4', '5', '4', '5']);
    expect(await outputValues('read_committed')).toEqual(['1', '2', '3']);
    await app.commit();
    expect(await outputValues('read_committed')).toEqual(['1', '2', '3', '4', '5']);
    expect(app.state).toBe('RUNNING');
    await app.close();
    expect(existsSync(checkpoint)).toBe(true);
  });
});
