import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';
import { SessionWindows } from '../../../operators/session-windows.ts';
import { Suppressed } from '../../../operators/suppressed.ts';
import { TimeWindows } from '../../../operators/time-windows.ts';

/**
 * Stream-time punctuations (window-close checks; idle-aware closing) act on the task's stream time. The
 * records that moved it may still wait in a cache upstream (a cached table forwards on commit): the task
 * flushes its other stores' caches before such a punctuation, so windows do not close without them.
 * Commits are rare here (60 s), so only that flush can bring the cached records in time.
 */
const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;
/** A recent 10-second boundary (the log's retention would delete 1970 records). */
const T = Math.floor(Date.now() / 10_000) * 10_000 - 600_000;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-punct-caches-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'table', numPartitions: 1 }, { topic: 'events', numPartitions: 1 }, { topic: 'out', numPartitions: 1 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function produce(topic: string, rows: [string, number][]): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic, messages: rows.map(([key, at]) => ({ key, value: 'x', timestamp: String(T + at) })) });
  await p.disconnect();
}

async function outputs(): Promise<string[]> {
  const [p] = await log.fetch([{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
  return p!.records.map((r) => `${r.key!.toString()}=${r.value!.toString()}`);
}

async function waitFor(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function start(b: StreamsBuilder, idleAdvanceMs?: number): TributaryStreams {
  return new TributaryStreams(b.build(), {
    applicationId: 'punct-caches',
    log: { client: log },
    commitIntervalMs: 60_000,
    stateDir: join(dir, 'state'),
    ...(idleAdvanceMs === undefined ? {} : { idleAdvanceMs }),
  });
}

/** `key@<window start s>=count` rows of a windowed count. */
const row = (k: { key: string; window: { start: number } }, v: number | null): readonly [string, string] => [`${k.key}@${(k.window.start - T) / 1000}`, String(v)];

describe('core/runtime stream-time punctuation and upstream caches', () => {
  it('a cached table feeding an onWindowClose windowed count: records held in the cache reach the windows before a stream-time punctuation closes them', async () => {
    const b = new StreamsBuilder();
    b.table<string, string>('table', { keySerde: str, valueSerde: str, storeName: 'tbl', caching: true })
      .toStream()
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
      .emitStrategy('onWindowClose')
      .count({ storeName: 'counts' })
      .toStream()
      .map(row)
      .to('out', { keySerde: str, valueSerde: str });
    const app = start(b);
    await app.start();
    await produce('table', [['k', 1000], ['k2', 2000], ['x', 15_000]]); // one batch: all three sit in the table's cache
    await waitFor(async () => (await outputs()).length >= 2);
    await app.close();
    expect(await outputs()).toEqual(['k@0=1', 'k2@0=1']);
  });

  it('idle-aware closing with a cached table upstream: the window closes with the cached record in it', async () => {
    const b = new StreamsBuilder();
    b.table<string, string>('table', { keySerde: str, valueSerde: str, storeName: 'tbl', caching: true })
      .toStream()
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
      .emitStrategy('onWindowClose')
      .count({ storeName: 'counts' })
      .toStream()
      .map(row)
      .to('out', { keySerde: str, valueSerde: str });
    const app = start(b, 100);
    await app.start();
    await produce('table', [['k', 100]]);
    await waitFor(async () => (await outputs()).length >= 1); // stream time follows the clock past 1 s
    await app.close();
    expect(await outputs()).toEqual(['k@0=1']);
  });

  it('idle-aware closing with an onWindowClose session count fed by a cached table', async () => {
    const b = new StreamsBuilder();
    b.table<string, string>('table', { keySerde: str, valueSerde: str, storeName: 'tbl', caching: true })
      .toStream()
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300))
      .emitStrategy('onWindowClose')
      .count({ storeName: 'sessions' })
      .toStream()
      .map(row)
      .to('out', { keySerde: str, valueSerde: str });
    const app = start(b, 100);
    await app.start();
    await produce('table', [['k', 100]]);
    await waitFor(async () => (await outputs()).length >= 1);
    await app.close();
    expect(await outputs()).toEqual(['k@0.1=1']);
  });

  it('idle-aware closing with suppress(untilWindowCloses) after a filter of a cached windowed count (the suppressed table has no store of its own)', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
      .count({ storeName: 'counts', caching: true })
      .filter((_k, v) => v !== null)
      .suppress(Suppressed.untilWindowCloses({ name: 'final' }))
      .toStream()
      .map(row)
      .to('out', { keySerde: str, valueSerde: str });
    const app = start(b, 100);
    await app.start();
    await produce('events', [['k', 100], ['k', 200], ['k', 300]]);
    await waitFor(async () => (await outputs()).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    await app.close();
    expect(await outputs()).toEqual(['k@0=3']);
  });
});
