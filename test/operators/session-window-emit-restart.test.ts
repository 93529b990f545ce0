import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { SessionWindows } from '../../operators/session-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;
/** A recent 10-second boundary (the log's retention would delete 1970 records). */
const T = Math.floor(Date.now() / 10_000) * 10_000 - 600_000;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-session-emit-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }, { topic: 'out', numPartitions: 1 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function produce(key: string, at: number): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic: 'events', messages: [{ key, value: 'x', timestamp: String(T + at) }] });
  await p.disconnect();
}

async function outputs(): Promise<string[]> {
  const [p] = await log.fetch([{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
  return p!.records.map((r) => `${r.key!.toString()}=${r.value!.toString()}`);
}

async function waitFor(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A count per key and session (gap 5 s, no grace), final results only, rows `key@<start s>-<end s>=count` (relative to T). */
function app(storeKind: 'lmdb' | 'memory', caching: boolean): TributaryStreams {
  const b = new StreamsBuilder();
  b.stream<string, string>('events', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5000))
    .emitStrategy('onWindowClose')
    .count({ storeName: 'sessions', kind: storeKind, caching })
    .toStream()
    .map((k, v): readonly [string, string] => [`${k.key}@${(k.window.start - T) / 1000}-${(k.window.end - T) / 1000}`, String(v)])
    .to('out', { keySerde: str, valueSerde: str });
  return new TributaryStreams(b.build(), { applicationId: `session-emit-${storeKind}-${caching}`, log: { client: log }, commitIntervalMs: 20, stateDir: join(dir, 'state') });
}

async function processed(a: TributaryStreams, n: number): Promise<void> {
  await waitFor(() => a.metricsSnapshot().recordsProcessed >= n);
  await new Promise((r) => setTimeout(r, 100)); // a commit interval or more
}

describe('operators/session-window-emit-restart', () => {
  const cases: ['lmdb' | 'memory', boolean][] = [
    ['lmdb', true],
    ['lmdb', false],
    ['memory', true],
  ];
  for (const [storeKind, caching] of cases) {
    it(`onWindowClose sessions (${storeKind}, caching ${caching}): sessions open at shutdown are emitted once they close after a restart and after the state directory is deleted; closed ones are not emitted again`, async () => {
      const a = app(storeKind, caching);
      await a.start();
      await produce('a', 1000);
      await produce('a', 3000);
      await produce('b', 2000);
      await produce('c', 12_000); // close time 7 s: a [1,3] and b [2,2] are final
      await waitFor(async () => (await outputs()).length >= 2);
      await produce('d', 14_000);
      await processed(a, 5);
      expect(await outputs()).toEqual(['b@2-2=1', 'a@1-3=2']);
      await a.close(); // c [12,12] and d [14,14] are open

      // restart: a record that closes nothing emits nothing (a task that forgot its progress would emit a and b
      // again); then one that closes c and d (a task that kept open sessions in memory only would lose them)
      const b = app(storeKind, caching);
      await b.start();
      await produce('c', 15_000); // extends c to [12,15]
      await processed(b, 1);
      expect(await outputs()).toEqual(['b@2-2=1', 'a@1-3=2']);
      await produce('e', 20_500); // close time 15.5 s: c [12,15] and d [14,14] are final, in end order
      await waitFor(async () => (await outputs()).length >= 4);
      await produce('f', 21_000);
      await processed(b, 3);
      expect((await outputs()).slice(2)).toEqual(['d@14-14=1', 'c@12-15=2']);
      await b.close(); // e [20.5] and f [21] are open

      // the state directory deleted: the session store and the emit-time store come back from their changelogs
      rmSync(join(dir, 'state'), { recursive: true, force: true });
      const c = app(storeKind, caching);
      await c.start();
      await produce('g', 21_000);
      await processed(c, 1);
      expect((await outputs()).length).toBe(4);
      await produce('h', 30_000); // close time 25 s: e, f (restored from the changelog) are final; g too
      await waitFor(async () => (await outputs()).length >= 7);
      await processed(c, 2);
      expect((await outputs()).slice(4)).toEqual(['e@20.5-20.5=1', 'f@21-21=1', 'g@21-21=1']);
      await c.close();
    });
  }
});
