import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';

const worker = fileURLToPath(new URL('../fixtures/join-worker.ts', import.meta.url));
const N = 2000;
const KEYS = 50;
/** Recent timestamps: the embedded log's 7-day retention would delete older segments. */
const BASE = Date.now() - 3_600_000;

interface Run {
  child: ChildProcess;
  commits: number;
  restored: Map<string, number>;
  done: boolean;
  exit: Promise<number | null>;
  waitFor(check: () => boolean, ms?: number): Promise<void>;
}

function startWorker(dir: string, spinMicros: number, commitIntervalMs: number, leftEnd: number, rightEnd: number): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, String(spinMicros), String(commitIntervalMs), String(leftEnd), String(rightEnd)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const run: Run = {
    child,
    commits: 0,
    restored: new Map(),
    done: false,
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    async waitFor(check, ms = 60_000) {
      const until = Date.now() + ms;
      while (!check()) {
        if (Date.now() > until) throw new Error(`worker timed out after ${run.commits} commits (last: ${last}); stderr ${stderr}`);
        if (child.exitCode !== null && !check()) throw new Error(`worker exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
  let buffered = '';
  let last = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (line.startsWith('commit ')) {
        run.commits++;
        last = line;
      }
      const m = /^restore (\S+) (\d+)$/.exec(line);
      if (m) run.restored.set(m[1]!, (run.restored.get(m[1]!) ?? 0) + Number(m[2]));
      if (line === 'done') run.done = true;
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return run;
}

describe('operators/k-stream-k-stream-join crash', () => {
  it('a join worker killed with SIGKILL and restarted gives the same results: every pair joined, unmatched records emitted with null, no spurious null', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-join-crash-'));
    const dir = join(base, 'log');
    try {
      // Left record i at BASE + 10i; right record i (not for every tenth i) 5 ms later; a key repeats every 500 ms.
      const log = await EmbeddedLog.open({ dir });
      const admin = log.admin();
      await admin.connect();
      await admin.createTopics({ topics: ['left', 'right', 'out'].map((topic) => ({ topic, numPartitions: 1 })) });
      const producer = log.producer();
      await producer.connect();
      const expected = new Set<string>();
      let rightCount = 0;
      for (let i = 0; i < N; i += 500) {
        const lefts = [];
        const rights = [];
        for (let j = i; j < i + 500; j++) {
          lefts.push({ key: `k${j % KEYS}`, value: `L${j}`, timestamp: String(BASE + 10 * j) });
          if (j % 10 === 0) {
            expected.add(`k${j % KEYS} L${j}+null ${BASE + 10 * j}`);
            continue;
          }
          rights.push({ key: `k${j % KEYS}`, value: `R${j}`, timestamp: String(BASE + 10 * j + 5) });
          expected.add(`k${j % KEYS} L${j}+R${j} ${BASE + 10 * j + 5}`);
        }
        await producer.send({ topic: 'left', messages: lefts });
        await producer.send({ topic: 'right', messages: rights });
        rightCount += rights.length;
      }
      // Far ahead of the last window (and its 1 h grace): releases the unmatched left records.
      await producer.send({ topic: 'right', messages: [{ key: 'zz', value: 'tick', timestamp: String(BASE + 10 * N + 3 * 3_600_000) }] });
      rightCount++;
      await log.close();

      // Run 1: ~400 µs per record, commits every 100 ms; killed after its second commit, mid-run.
      const first = startWorker(dir, 400, 100, N, rightCount);
      await first.waitFor(() => first.commits >= 2);
      await new Promise((r) => setTimeout(r, 80));
      first.child.kill('SIGKILL');
      expect(await first.exit).toBe(null);
      expect(first.done).toBe(false);

      // Run 2: restores (LMDB checkpoint + changelog tail), replays from the committed offsets, finishes.
      const second = startWorker(dir, 0, 100, N, rightCount);
      await second.waitFor(() => second.done);
      expect(await second.exit).toBe(0);

      const after = await EmbeddedLog.open({ dir });
      try {
        const [fetched] = await after.fetch([{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 26 }], { maxWaitMs: 0 });
        const out = fetched!.records.map((r) => `${r.key} ${r.value} ${r.timestamp}`);
        // At-least-once: replayed records may repeat results, but the set of results is exactly the expected one.
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
