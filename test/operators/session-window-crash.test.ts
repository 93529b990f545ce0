import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';

const worker = fileURLToPath(new URL('../fixtures/session-worker.ts', import.meta.url));
const KEYS = 40;
const BLOCKS = 6;
const PER_KEY = 10;
/** Recent timestamps: the embedded log's 7-day retention would delete older segments. */
const BASE = Date.now() - 3_600_000;

interface Run {
  child: ChildProcess;
  commits: number;
  done: boolean;
  exit: Promise<number | null>;
  waitFor(check: () => boolean, ms?: number): Promise<void>;
}

function startWorker(dir: string, spinMicros: number, commitIntervalMs: number, end: number): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, String(spinMicros), String(commitIntervalMs), String(end)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const run: Run = {
    child,
    commits: 0,
    done: false,
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    async waitFor(check, ms = 60_000) {
      const until = Date.now() + ms;
      while (!check()) {
        if (Date.now() > until) throw new Error(`worker timed out after ${run.commits} commits; stderr ${stderr}`);
        if (child.exitCode !== null && !check()) throw new Error(`worker exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (line.startsWith('commit ')) run.commits++;
      if (line === 'done') run.done = true;
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return run;
}

describe('operators/session-window crash', () => {
  it('onWindowClose sessions: a worker killed with SIGKILL mid-run and restarted emits every final session (sessions open at the kill included), at least once, and no other', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-session-crash-'));
    const dir = join(base, 'log');
    try {
      // Block b: each key gets PER_KEY records 200 ms apart (one session per key and block, gap 1 s); the
      // keys interleave, so sessions of every key are open at any time; blocks are 5 s apart.
      const log = await EmbeddedLog.open({ dir });
      const admin = log.admin();
      await admin.connect();
      await admin.createTopics({ topics: ['events', 'out'].map((topic) => ({ topic, numPartitions: 1 })) });
      const producer = log.producer();
      await producer.connect();
      const expected = new Set<string>();
      let count = 0;
      for (let blk = 0; blk < BLOCKS; blk++) {
        const t0 = BASE + blk * (PER_KEY * 200 + 5000);
        const messages = [];
        for (let j = 0; j < PER_KEY; j++) {
          for (let k = 0; k < KEYS; k++) messages.push({ key: `k${k}`, value: 'x', timestamp: String(t0 + j * 200 + k) });
        }
        for (let k = 0; k < KEYS; k++) expected.add(`k${k}@${t0 + k}-${t0 + (PER_KEY - 1) * 200 + k}=${PER_KEY}`);
        await producer.send({ topic: 'events', messages });
        count += messages.length;
      }
      // Far ahead: closes the last block's sessions.
      await producer.send({ topic: 'events', messages: [{ key: 'zz', value: 'tick', timestamp: String(BASE + 3_600_000) }] });
      count++;
      await log.close();

      // Run 1: ~1 ms per record, commits every 100 ms; killed after its second commit, mid-run.
      const first = startWorker(dir, 1000, 100, count);
      await first.waitFor(() => first.commits >= 2);
      await new Promise((r) => setTimeout(r, 80));
      first.child.kill('SIGKILL');
      expect(await first.exit).toBe(null);
      expect(first.done).toBe(false);

      // Run 2: restores the session store and the emit-time store, replays from the committed offset, finishes.
      const second = startWorker(dir, 0, 100, count);
      await second.waitFor(() => second.done);
      expect(await second.exit).toBe(0);

      const after = await EmbeddedLog.open({ dir });
      try {
        const [fetched] = await after.fetch([{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 26 }], { maxWaitMs: 0 });
        const out = fetched!.records.map((r) => `${r.key}=${r.value}`);
        // At least once: results emitted before the kill but after the last commit may repeat.
        expect(new Set(out)).toEqual(expected);
        expect(out.length).toBeGreaterThanOrEqual(expected.size);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});
