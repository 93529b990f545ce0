import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { TimeWindows } from '../../operators/time-windows.ts';
import { SlidingWindows } from '../../operators/sliding-windows.ts';
import { WindowedSerdes } from '../../operators/windowed-serdes.ts';
import type { LateRecordContext } from '../../operators/late-records.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';
import { ensureWindowedStores } from './windowed-store-doubles.ts';

const str = Serdes.string();
const i64 = Serdes.int64();
const MIN = 60_000;

beforeAll(() => void ensureWindowedStores());
afterEach(closeDrivers);

function rows(out: { key: { key: string; window: { start: number; end: number } } | null; value: number | null }[]) {
  return out.map((r) => `${r.key!.key}@[${r.key!.window.start / MIN}m,${r.key!.window.end / MIN}m)=${r.value}`);
}

function windowedCount(windows: TimeWindows) {
  const b = new StreamsBuilder();
  const table = b
    .stream<string, string>('events', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(windows)
    .count({ storeName: 'counts', caching: false });
  table.toStream().to('out', { valueSerde: i64 });
  const d = testDriver(b.build());
  const input = d.createInputTopic('events', str, str);
  const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, windows.sizeMs), i64);
  return { d, input, out, table };
}

describe('operators/time-windowed-k-stream', () => {
  it('TimeWindows: window assignment (Kafka docs: tumbling, hopping, aligned to the epoch)', () => {
    expect(TimeWindows.ofSizeWithNoGrace('5m').windowsFor(4 * MIN + 59_999)).toEqual([{ start: 0, end: 5 * MIN }]);
    expect(TimeWindows.ofSizeWithNoGrace('5m').windowsFor(5 * MIN)).toEqual([{ start: 5 * MIN, end: 10 * MIN }]);
    // Javadoc: size 5000, advance 3000 -> [0;5000), [3000;8000), ...
    expect(TimeWindows.ofSizeWithNoGrace(5000).advanceBy(3000).windowsFor(4000)).toEqual([
      { start: 0, end: 5000 },
      { start: 3000, end: 8000 },
    ]);
    expect(TimeWindows.ofSizeWithNoGrace(5000).advanceBy(3000).windowsFor(5000)).toEqual([{ start: 3000, end: 8000 }]);
    // Hopping 5m/1m: a record falls in 5 windows, fewer near the epoch.
    expect(TimeWindows.ofSizeWithNoGrace('5m').advanceBy('1m').windowsFor(7 * MIN).map((w) => w.start / MIN)).toEqual([3, 4, 5, 6, 7]);
    expect(TimeWindows.ofSizeWithNoGrace('5m').advanceBy('1m').windowsFor(2 * MIN).map((w) => w.start / MIN)).toEqual([0, 1, 2]);
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/positive/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/advance/);
  });

  it('tumbling 5-minute count: one row per key and window, windowed keys carry start and (exclusive) end', () => {
    const { input, out, d } = windowedCount(TimeWindows.ofSizeWithNoGrace('5m'));
    input.pipeInput('alice', 'x', 0);
    input.pipeInput('alice', 'x', 4 * MIN + 59_999);
    input.pipeInput('bob', 'x', 3 * MIN);
    expect(d.getStateStore<any>('counts').fetch('alice', 0)).toEqual({ value: 2, timestamp: 4 * MIN + 59_999 });
    input.pipeInput('alice', 'x', 5 * MIN);
    expect(rows(out.readKeyValuesToList() as never)).toEqual(['alice@[0m,5m)=1', 'alice@[0m,5m)=2', 'bob@[0m,5m)=1', 'alice@[5m,10m)=1']);
    // With no grace the store retains a window for its size only: at stream time 5m, [0m,5m) has expired
    // from the store (as in Kafka 3.x, whose fetch skips windows older than stream time - retention).
    expect(d.getStateStore<any>('counts').fetch('alice', 0)).toBeUndefined();
    expect(d.getStateStore<any>('counts').fetch('alice', 5 * MIN)).toEqual({ value: 1, timestamp: 5 * MIN });
  });

  it('hopping 5m/1m count: each record updates every window containing it', () => {
    const { input, out } = windowedCount(TimeWindows.ofSizeWithNoGrace('5m').advanceBy('1m'));
    input.pipeInput('k', 'x', 2 * MIN);
    input.pipeInput('k', 'x', 4 * MIN);
    expect(rows(out.readKeyValuesToList() as never)).toEqual([
      'k@[0m,5m)=1',
      'k@[1m,6m)=1',
      'k@[2m,7m)=1',
      'k@[0m,5m)=2',
      'k@[1m,6m)=2',
      'k@[2m,7m)=2',
      'k@[3m,8m)=1',
      'k@[4m,9m)=1',
    ]);
  });

  it('grace: a window accepts records until stream time reaches end + grace; later ones are dropped and counted', () => {
    const { input, out, table } = windowedCount(TimeWindows.ofSizeAndGrace('5m', '1m'));
    input.pipeInput('k', 'x', 1 * MIN);
    input.pipeInput('k', 'x', 5 * MIN + 30_000); // stream time 5:30 < 5 + 1: [0,5) still open
    input.pipeInput('k', 'x', 4 * MIN);
    input.pipeInput('k', 'x', 6 * MIN); // stream time 6:00 = end + grace: [0,5) closes
    input.pipeInput('k', 'x', 4 * MIN + 59_000);
    expect(rows(out.readKeyValuesToList() as never)).toEqual(['k@[0m,5m)=1', 'k@[5m,10m)=1', 'k@[0m,5m)=2', 'k@[5m,10m)=2']);
    expect(table.droppedRecords!.late).toBe(1);
  });

  it('late records go to the late-record handler function or to a dead-letter topic', () => {
    const seen: LateRecordContext<string, string>[] = [];
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('events', { keySerde: str, valueSerde: str });
    s.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace('5m'), { lateRecordHandler: (c) => seen.push(c) }).count({ caching: false });
    s.groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace('5m'), { lateRecordHandler: { deadLetterTopic: 'late-events' } })
      .count({ storeName: 'dlt-counts', caching: false })
      .toStream()
      .to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('events', str, str);
    input.pipeInput('k', 'on-time', 10 * MIN);
    input.pipeInput('k', 'late', 1 * MIN);
    expect(seen.map((c) => [c.key, c.value, c.timestamp, c.streamTime, c.windowCloseTime])).toEqual([['k', 'late', MIN, 10 * MIN, 10 * MIN]]);
    expect(seen[0]!.metadata).toEqual({ topic: 'events', partition: 0, offset: 1 });
    expect(d.createOutputTopic('late-events', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['k', 'late', MIN]]);
    expect(d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 5 * MIN), i64).readKeyValuesToList()).toHaveLength(1);
  });

  it("emitStrategy 'onWindowClose': one final result per window when stream time passes end + grace, nothing before", () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace('5m', '1m'))
      .emitStrategy('onWindowClose')
      .count()
      .toStream()
      .to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('events', str, str);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 5 * MIN), i64);
    input.pipeInput('a', 'x', 1 * MIN);
    input.pipeInput('a', 'x', 2 * MIN);
    input.pipeInput('b', 'x', 3 * MIN);
    input.pipeInput('a', 'x', 5 * MIN + 59_999);
    expect(out.readKeyValuesToList()).toEqual([]);
    input.pipeInput('a', 'x', 6 * MIN);
    expect(rows(out.readKeyValuesToList() as never)).toEqual(['a@[0m,5m)=2', 'b@[0m,5m)=1']);
    input.pipeInput('b', 'x', 7 * MIN);
    expect(out.readKeyValuesToList()).toEqual([]);
    input.pipeInput('c', 'x', 20 * MIN);
    expect(rows(out.readKeyValuesToList() as never)).toEqual(['a@[5m,10m)=2', 'b@[5m,10m)=1']);
  });

  for (const caching of [false, true]) {
    it(`onWindowClose with the default retention (size + grace), caching ${caching}: a window that closes as stream time jumps far ahead is still emitted`, () => {
      // The store expires a window when stream time reaches its end + grace, the instant it closes: the
      // closed windows must go out before the record that moves stream time is put.
      const b = new StreamsBuilder();
      b.stream<string, string>('events', { keySerde: str, valueSerde: str })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .emitStrategy('onWindowClose')
        .count({ caching })
        .toStream()
        .to('out', { valueSerde: i64 });
      const d = testDriver(b.build());
      const input = d.createInputTopic('events', str, str);
      const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 10), i64);
      input.pipeInput('a', 'x', 1);
      input.pipeInput('a', 'x', 2);
      input.pipeInput('b', 'x', 25);
      expect(out.readKeyValuesToList().map((r) => `${r.key!.key}@${r.key!.window.start}=${r.value}`)).toEqual(['a@0=2']);
    });
  }

  it('windowed reduce takes the first value as it is', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('lat', { keySerde: str, valueSerde: i64 })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace('1m'))
      .reduce((x, y) => Math.max(x, y), { caching: false })
      .toStream()
      .to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('lat', str, i64);
    input.pipeInput('s', 5, 0);
    input.pipeInput('s', 3, 1);
    input.pipeInput('s', 9, 2);
    expect(d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, MIN), i64).readValuesToList()).toEqual([5, 5, 9]);
  });
});

describe('operators/k-stream-sliding-window-aggregate', () => {
  function slidingCount() {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
      .count({ caching: false })
      .toStream()
      .to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    return {
      input: d.createInputTopic('events', str, str),
      read: () =>
        d
          .createOutputTopic('out', WindowedSerdes.timeWindowed(str, 10), i64)
          .readKeyValuesToList()
          .map((r) => `[${r.key!.window.start},${r.key!.window.end}]=${r.value}`),
    };
  }

  it('windows come from record pairs: left window [t - diff, t], right window [t + 1, t + 1 + diff] once a later record is in reach', () => {
    const { input, read } = slidingCount();
    input.pipeInput('A', 'x', 10);
    expect(read()).toEqual(['[0,10]=1']);
    input.pipeInput('A', 'x', 15);
    expect(read()).toEqual(['[11,21]=1', '[5,15]=2']);
    input.pipeInput('A', 'x', 12); // out of order, within grace
    expect(read()).toEqual(['[5,15]=3', '[11,21]=2', '[2,12]=2', '[13,23]=1']);
  });

  it('records earlier than the time difference share the window [0, diff]', () => {
    const { input, read } = slidingCount();
    input.pipeInput('A', 'x', 3);
    input.pipeInput('A', 'x', 6);
    expect(read()).toEqual(['[0,10]=1', '[4,14]=1', '[0,10]=2']);
  });

  it("emitStrategy 'onWindowClose' with hopping windows (size 10 s, advance 3 s, grace 2 s): every window once, not before end + grace, with its final count", () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2000).advanceBy(3000))
      .emitStrategy('onWindowClose')
      .count({ storeName: 'hop' })
      .toStream()
      .to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('events', str, str);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 10_000), i64);
    const times = [500, 2999, 3000, 7000, 11_000, 12_500, 14_000, 16_000, 21_999, 25_000, 26_000, 40_000, 100_000];
    const emitted = new Map<string, number>();
    let streamTime = -1;
    for (const t of times) {
      input.pipeInput('k', 'x', t);
      streamTime = Math.max(streamTime, t);
      for (const { key, value } of out.readKeyValuesToList()) {
        const id = `${key!.window.start}`;
        expect(emitted.has(id)).toBe(false);
        expect(key!.window.end + 2000).toBeLessThanOrEqual(streamTime);
        emitted.set(id, value as number);
      }
      // and not later: every window that holds a record and closed by now has been emitted
      for (let start = 0; start + 10_000 + 2000 <= streamTime; start += 3000) {
        if (times.some((x) => x <= streamTime && x >= start && x < start + 10_000)) expect(emitted.has(`${start}`)).toBe(true);
      }
    }
    // reference: every window [s, s + 10 s) with s = 3 s * k holding a record, closed by stream time 100 s
    const expected = new Map<string, number>();
    for (let start = 0; start + 10_000 + 2000 <= 100_000; start += 3000) {
      const n = times.filter((t) => t >= start && t < start + 10_000).length;
      if (n > 0) expected.set(`${start}`, n);
    }
    expect(new Map([...emitted].sort())).toEqual(new Map([...expected].sort()));
  });
});
