import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';

const worker = fileURLToPath(new URL('../../fixtures/streams-worker.ts', import.meta.url));
const N = 6000;

interface Run {
  child: ChildProcess;
  commits: number[];
  done: Promise<number | null>;
  waitFor(check: () => boolean, ms?: number): Promise<void>;
}

function startWorker(dir: string, runId: string, spinMicros: number, commitIntervalMs: number): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, runId, String(spinMicros), String(commitIntervalMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const commits: number[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const m = /^commit (\d+)$/.exec(line);
      if (m) commits.push(Number(m[1]));
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    commits,
    done,
    async waitFor(check, ms = 30_000) {
      const until = Date.now() + ms;
      while (!check()) {
        if (Date.now() > until) throw new Error(`worker ${runId} timed out; commits ${commits.join(',')}; stderr ${stderr}`);
        if (child.exitCode !== null) throw new Error(`worker ${runId} exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

describe('core/runtime/streams-crash', () => {
  it('a worker killed with SIGKILL and restarted resumes from the committed offsets: nothing lost, duplicates only after the last commit', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-streams-crash-'));
    const dir = join(base, 'log');
    try {
      let log = await EmbeddedLog.open({ dir });
      const admin = log.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 1 }, { topic: 'output', numPartitions: 1 }] });
      const producer = log.producer();
      await producer.connect();
      for (let i = 0; i < N; i += 500) {
        await producer.send({ topic: 'input', messages: Array.from({ length: 500 }, (_, j) => ({ key: `k${i + j}`, value: String(i + j) })) });
      }
      await log.close();

      // Run 1: slow processing (~200 µs per record, 1000 records per loop turn, so output reaches the log
      // every ~200 ms) committing every 500 ms; killed ~350 ms after its first commit, mid-run, when
      // output beyond the commit is usually already in the log.
      const first = startWorker(dir, 'run1', 200, 500);
      await first.waitFor(() => first.commits.length >= 1);
      await new Promise((r) => setTimeout(r, 350));
      first.child.kill('SIGKILL');
      expect(await first.done).toBe(null);
      const lastCommit = first.commits.at(-1)!;
      expect(lastCommit).toBeGreaterThan(0);
      expect(lastCommit).toBeLessThan(N);

      // Run 2: resumes and finishes.
      const second = startWorker(dir, 'run2', 0, 100);
      await second.waitFor(() => second.commits.includes(N));
      second.child.kill('SIGTERM');
      await second.done;

      log = await EmbeddedLog.open({ dir });
      const [out] = await log.fetch([{ topic: 'output', partition: 0, offset: 0, maxBytes: 64 << 20 }], { maxWaitMs: 0 });
      await log.close();
      const seen = new Map<number, string[]>();
      for (const r of out!.records) {
        const [value, run] = r.value!.toString().split('|');
        const idx = Number(value);
        expect(r.key!.toString()).toBe(`k${idx}`);
        seen.set(idx, [...(seen.get(idx) ?? []), run!]);
      }
      // Every input record is in the output at least once.
      for (let i = 0; i < N; i++) expect(seen.has(i), `record ${i} missing`).toBe(true);
      // Run 2 started at the last commit (or later, if a commit landed after its line was printed).
      const run2First = Math.min(...[...seen].filter(([, runs]) => runs.includes('run2')).map(([i]) => i));
      expect(run2First).toBeGreaterThanOrEqual(lastCommit);
      // Duplicates only for records after the last commit, and no more than run 1 processed beyond it.
      const duplicates = [...seen].filter(([, runs]) => runs.length > 1);
      for (const [i, runs] of duplicates) {
        expect(i).toBeGreaterThanOrEqual(lastCommit);
        expect(runs).toEqual(['run1', 'run2']);
      }
      const run1BeyondCommit = [...seen].filter(([i, runs]) => i >= lastCommit && runs.includes('run1')).length;
      expect(duplicates.length).toBeLessThanOrEqual(run1BeyondCommit);
      expect(out!.records.length).toBe(N + duplicates.length);
    } finally {
      rmSync(base, { recursive: true, force: true });
      rmSync(`${dir}-state`, { recursive: true, force: true });
    }
  });
});
