import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { SlidingWindows } from '../../operators/sliding-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { TimeWindows } from '../../operators/time-windows.ts';
import { emitTimeStoreName } from '../../operators/window-emit-progress.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;
/** A recent 10-second boundary (the log's retention would delete 1970 records). */
const T = Math.floor(Date.now() / 10_000) * 10_000 - 600_000;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-emit-progress-'));
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

type Kind = 'time' | 'sliding';

/** A count per key and window, final results only, rows `key@<start s>=count` (start relative to T). */
function app(kind: Kind, storeKind: 'lmdb' | 'memory'): TributaryStreams {
  const b = new StreamsBuilder();
  const grouped = b.stream<string, string>('events', { keySerde: str, valueSerde: str }).groupByKey();
  const windowed = kind === 'time' ? grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(10_000)) : grouped.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10_000));
  windowed
    .emitStrategy('onWindowClose')
    .count({ storeName: 'counts', retention: '1h', kind: storeKind })
    .toStream()
    .map((k, v): readonly [string, string] => [`${k.key}@${(k.window.start - T) / 1000}`, String(v)])
    .to('out', { keySerde: str, valueSerde: str });
  return new TributaryStreams(b.build(), { applicationId: `emit-${kind}-${storeKind}`, log: { client: log }, commitIntervalMs: 20, stateDir: join(dir, 'state') });
}

async function processed(a: TributaryStreams, n: number): Promise<void> {
  await waitFor(() => a.metricsSnapshot().recordsProcessed >= n);
  await new Promise((r) => setTimeout(r, 100)); // a commit interval or more
}

describe('operators/window-emit-progress', () => {
  it('names the store after the window store', () => {
    expect(emitTimeStoreName('counts')).toBe('counts-emit-time');
  });

  const cases: [Kind, 'lmdb' | 'memory', string[], string[]][] = [
    ['time', 'lmdb', ['a@0=1', 'b@0=1'], ['a@10=1', 'c@10=1']],
    ['time', 'memory', ['a@0=1', 'b@0=1'], ['a@10=1', 'c@10=1']],
    ['sliding', 'lmdb', ['a@-9=1', 'b@-8=1'], ['a@2=1', 'c@2=1']],
  ];
  for (const [kind, storeKind, first, second] of cases) {
    it(`${kind} windows (${storeKind}): after a restart, and after the state directory is deleted, windows emitted before are not emitted again`, async () => {
      const a = app(kind, storeKind);
      await a.start();
      await produce('a', 1000);
      await produce('b', 2000);
      await produce('a', 12_000); // stream time 12 s: the first windows close
      await waitFor(async () => (await outputs()).length >= 2);
      await processed(a, 3);
      expect(await outputs()).toEqual(first);
      await a.close();

      // restart: the windows are still in the store (retention 1 h); a new record (at the same stream time:
      // nothing closes) re-emits nothing, where a task that forgot its progress would emit them all again
      const b = app(kind, storeKind);
      await b.start();
      await produce('c', 12_000);
      await processed(b, 1);
      expect(await outputs()).toEqual(first);
      await produce('d', 25_000); // the next windows close
      await waitFor(async () => (await outputs()).length >= 4);
      await processed(b, 2);
      expect((await outputs()).slice(2)).toEqual(second);
      await b.close();

      // the state directory deleted: the window store and the emit-time store come back from their changelogs
      rmSync(join(dir, 'state'), { recursive: true, force: true });
      const c = app(kind, storeKind);
      await c.start();
      await produce('e', 25_000);
      await processed(c, 1);
      expect(await outputs()).toEqual([...first, ...second]);
      await c.close();
    });
  }
});
