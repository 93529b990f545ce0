import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';

const worker = fileURLToPath(new URL('../../fixtures/stateful-worker.ts', import.meta.url));
const N = 3000;
const KEYS = 50;
const CHANGELOG = 'stateful-crash-counts-changelog';

interface Run {
  child: ChildProcess;
  commits: number[];
  restores: { store: string; task: string; startOffset: number; restored: number; total: number }[];
  dump: Map<string, string> | null;
  done: Promise<number | null>;
  waitFor(check: () => boolean, ms?: number): Promise<void>;
}

function startWorker(dir: string, spinMicros: number, commitIntervalMs: number): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, String(spinMicros), String(commitIntervalMs), String(N)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    commits: [],
    restores: [],
    dump: null,
    done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    async waitFor(check, ms = 60_000) {
      const until = Date.now() + ms;
      while (!check()) {
        if (Date.now() > until) throw new Error(`worker timed out; commits ${run.commits.join(',')}; stderr ${stderr}`);
        if (child.exitCode !== null && !check()) throw new Error(`worker exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      let m = /^commit (\d+)$/.exec(line);
      if (m) run.commits.push(Number(m[1]));
      m = /^restore (\S+) (\S+) (\d+) (\d+) (\d+)$/.exec(line);
      if (m) run.restores.push({ store: m[1]!, task: m[2]!, startOffset: Number(m[3]), restored: Number(m[4]), total: Number(m[5]) });
      if (line.startsWith('dump ')) run.dump = new Map(JSON.parse(line.slice(5)) as [string, string][]);
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return run;
}

async function changelogOf(dir: string): Promise<{ latest: Map<string, string>; size: number }> {
  const log = await EmbeddedLog.open({ dir });
  try {
    const [fetched] = await log.fetch([{ topic: CHANGELOG, partition: 0, offset: 0, maxBytes: 1 << 26 }], { maxWaitMs: 0 });
    const latest = new Map<string, string>();
    for (const r of fetched!.records) {
      if (r.value === null) latest.delete(r.key!.toString());
      else latest.set(r.key!.toString(), r.value.toString());
    }
    return { latest, size: fetched!.records.length };
  } finally {
    await log.close();
  }
}

describe('core/runtime/stateful crash', () => {
  it('a stateful worker killed with SIGKILL restores only the changelog tail past its checkpoint; its store equals the changelog and counts every input record at least once', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-stateful-crash-'));
    const dir = join(base, 'log');
    try {
      const log = await EmbeddedLog.open({ dir });
      const admin = log.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 1 }, { topic: 'output', numPartitions: 1 }] });
      const producer = log.producer();
      await producer.connect();
      for (let i = 0; i < N; i += 500) {
        await producer.send({ topic: 'input', messages: Array.from({ length: 500 }, (_, j) => ({ key: `k${(i + j) % KEYS}`, value: 'x' })) });
      }
      await log.close();

      // Run 1: ~300 µs per record, commits every 150 ms; killed after its second commit, mid-run.
      const first = startWorker(dir, 300, 150);
      await first.waitFor(() => first.commits.length >= 2);
      await new Promise((r) => setTimeout(r, 100));
      first.child.kill('SIGKILL');
      expect(await first.done).toBe(null);
      expect(first.commits.at(-1)!).toBeLessThan(N);
      const atCrash = await changelogOf(dir);
      expect(atCrash.size).toBeGreaterThan(0);

      // Run 2: restores the tail past the LMDB checkpoint, finishes the input, dumps its store.
      const second = startWorker(dir, 0, 100);
      await second.waitFor(() => second.dump !== null);
      expect(await second.done).toBe(0);
      const [restore] = second.restores;
      expect(restore).toBeDefined();
      expect(restore!.startOffset).toBeGreaterThan(0);
      expect(restore!.restored).toBeLessThan(atCrash.size);
      expect(restore!.restored).toBe(atCrash.size - restore!.startOffset);

      const after = await changelogOf(dir);
      expect(second.dump).toEqual(after.latest);
      expect(second.dump!.size).toBe(KEYS);
      for (const [key, count] of second.dump!) expect(Number(count), key).toBeGreaterThanOrEqual(N / KEYS);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});
