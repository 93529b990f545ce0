import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import type { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { ManualClock } from '../../core/time/clock.ts';
import type { EmitStrategy } from '../../operators/emit-strategy.ts';
import type { KTable } from '../../operators/k-table.ts';
import { SessionWindows } from '../../operators/session-windows.ts';
import { SlidingWindows } from '../../operators/sliding-windows.ts';
import type { Windowed } from '../../operators/store-views.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Suppressed } from '../../operators/suppressed.ts';
import { TimeWindows } from '../../operators/time-windows.ts';
import { closeCheckInterval } from '../../operators/window-close-punctuation.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();
const i64 = Serdes.int64();

afterEach(closeDrivers);

/** `key@[start,end]=value` of windowed rows written as strings. */
function windowedRows(builder: StreamsBuilder, table: KTable<Windowed<string>, number>): void {
  table
    .toStream()
    .map((k, v): readonly [string, string] => [`${k.key}@[${k.window.start},${k.window.end}]`, String(v)])
    .to('out', { keySerde: str, valueSerde: str });
  void builder;
}

function events(windowed: (b: StreamsBuilder) => KTable<Windowed<string>, number>) {
  const b = new StreamsBuilder();
  windowedRows(b, windowed(b));
  return b;
}

function grouped(b: StreamsBuilder) {
  return b.stream<string, string>('events', { keySerde: str, valueSerde: str }).groupByKey();
}

/** Pipes a@1s and b@2s at wall clock 0; returns a function reading the output rows. */
function run(b: StreamsBuilder, idleAdvanceMs: number | undefined): { d: TopologyTestDriver; read: () => string[] } {
  const d = testDriver(b.build(), idleAdvanceMs === undefined ? {} : { idleAdvanceMs });
  const input = d.createInputTopic('events', str, str);
  const out = d.createOutputTopic('out', str, str);
  input.pipeInput('a', 'x', 1000);
  input.pipeInput('b', 'x', 2000);
  return { d, read: () => out.readKeyValuesToList().map((kv) => `${kv.key}=${kv.value}`) };
}

describe('operators/window-close-punctuation', () => {
  it('closeCheckInterval: a second of stream time, less for finer windows, at least 1 ms', () => {
    expect(closeCheckInterval(60_000)).toBe(1000);
    expect(closeCheckInterval(Infinity)).toBe(1000);
    expect(closeCheckInterval(250)).toBe(250);
    expect(closeCheckInterval(0)).toBe(1);
  });

  describe('idle-aware closing through the TopologyTestDriver (idleAdvanceMs 5 s, wall clock advanced, no new record)', () => {
    const timeWindows = (emit: EmitStrategy) =>
      events((b) => grouped(b).windowedBy(TimeWindows.ofSizeWithNoGrace(10_000)).emitStrategy(emit).count({ storeName: 'counts' }));

    it("a time-windowed count with emitStrategy 'onWindowClose' emits the quiet keys' final results once stream time passes the window end", () => {
      const { d, read } = run(timeWindows('onWindowClose'), 5000);
      d.advanceWallClockTime(4999); // not idle long enough
      expect(read()).toEqual([]);
      d.advanceWallClockTime(3000); // idle 7.999 s: stream time 2 s + 7.999 s, just before the window end
      expect(read()).toEqual([]);
      d.advanceWallClockTime(1); // stream time 10 s: [0, 10 s) closed
      expect(read()).toEqual(['a@[0,10000]=1', 'b@[0,10000]=1']);
      d.advanceWallClockTime(60_000);
      expect(read()).toEqual([]); // once
    });

    it('is off by default: without idleAdvanceMs the window stays open however long the wall clock runs', () => {
      const { d, read } = run(timeWindows('onWindowClose'), undefined);
      d.advanceWallClockTime(3_600_000);
      expect(read()).toEqual([]);
    });

    it('sliding windows (onWindowClose) close on stream-time punctuation too', () => {
      const b = events((b) => grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(5000)).emitStrategy('onWindowClose').count());
      const { d, read } = run(b, 5000);
      d.advanceWallClockTime(4000); // stream time 6 s: records before 5 s share [0, 5 s], still open (end inclusive)
      expect(read()).toEqual([]);
      d.advanceWallClockTime(1000); // stream time 7 s: closed
      expect(read()).toEqual(['a@[0,5000]=1', 'b@[0,5000]=1']);
      d.advanceWallClockTime(10_000);
      expect(read()).toEqual([]);
    });

    it('session windows (onWindowClose) close on stream-time punctuation too', () => {
      const b = events((b) => grouped(b).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(3000)).emitStrategy('onWindowClose').count());
      const { d, read } = run(b, 5000);
      d.advanceWallClockTime(5000); // stream time 7 s: both sessions ended before it
      expect(read()).toEqual(['a@[1000,1000]=1', 'b@[2000,2000]=1']);
    });

    it('suppress(untilWindowCloses) after an updating windowed count emits each final result without a new record', () => {
      const b = events((b) =>
        grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2000)).count({ storeName: 'counts' }).suppress(Suppressed.untilWindowCloses()),
      );
      const { d, read } = run(b, 5000);
      d.advanceWallClockTime(9000); // stream time 11 s < end 10 s + grace 2 s
      expect(read()).toEqual([]);
      d.advanceWallClockTime(1000); // stream time 12 s
      expect(read()).toEqual(['a@[0,10000]=1', 'b@[0,10000]=1']);
    });

    it('suppress(untilTimeLimit) on a table emits a quiet key once its time to wait has passed', () => {
      const b = new StreamsBuilder();
      b.table<string, string>('events', { keySerde: str, valueSerde: str })
        .suppress(Suppressed.untilTimeLimit(5000))
        .toStream()
        .to('out', { keySerde: str, valueSerde: str });
      const { d, read } = run(b, 5000);
      d.advanceWallClockTime(5000); // stream time 7 s: a (buffered at 1 s) and b (at 2 s) have waited 5 s
      expect(read()).toEqual(['a=x', 'b=x']);
    });
  });

  describe('runtime on the embedded log', () => {
    let dir: string;
    let log: EmbeddedLog;
    afterEach(async () => {
      await log?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('an idle task advances stream time from the clock and the onWindowClose count emits the final windows', async () => {
      dir = mkdtempSync(join(tmpdir(), 'tributary-idle-windows-'));
      log = await EmbeddedLog.open({ dir: join(dir, 'log') });
      const admin = log.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }, { topic: 'out', numPartitions: 1 }] });
      await admin.disconnect();
      const b = events((b) => grouped(b).windowedBy(TimeWindows.ofSizeWithNoGrace(10_000)).emitStrategy('onWindowClose').count({ storeName: 'counts' }));
      const clock = new ManualClock(1_000_000);
      const app = new TributaryStreams(b.build(), { applicationId: 'idle-windows', log: { client: log }, clock, idleAdvanceMs: 5000, commitIntervalMs: 1000, stateDir: join(dir, 'state') });
      await app.start();
      const producer = log.producer();
      await producer.connect();
      await producer.send({ topic: 'events', messages: [{ key: 'a', value: 'x', timestamp: '1000' }, { key: 'b', value: 'x', timestamp: '2000' }] });
      await producer.disconnect();
      const read = async (): Promise<string[]> => {
        const [p] = await log.fetch([{ topic: 'out', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
        return p!.records.map((r) => `${r.key!.toString()}=${r.value!.toString()}`);
      };
      const until = Date.now() + 10_000;
      while (app.metricsSnapshot().recordsProcessed < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(await read()).toEqual([]);
      for (let i = 0; i < 40 && (await read()).length < 2; i++) {
        clock.advance(1000);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await read()).toEqual(['a@[0,10000]=1', 'b@[0,10000]=1']);
      await app.close();
    });
  });
});
