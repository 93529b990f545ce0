import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { TimeWindows } from '../../operators/time-windows.ts';
import { Suppressed } from '../../operators/suppressed.ts';
import { WindowedSerdes } from '../../operators/windowed-serdes.ts';
import { InMemoryTimeOrderedKeyValueBuffer } from '../../operators/in-memory-time-ordered-key-value-buffer.ts';
import type { StateStoreContext, RestoreCallback } from '../../core/processor/state-store.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';
import { ensureWindowedStores } from './windowed-store-doubles.ts';

const str = Serdes.string();
const i64 = Serdes.int64();
const MIN = 60_000;

beforeAll(() => void ensureWindowedStores());
afterEach(closeDrivers);

describe('operators/k-table-suppress', () => {
  it('untilWindowCloses: one final result per window when stream time reaches end + grace', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace('5m', '1m'))
      .count({ caching: false })
      .suppress(Suppressed.untilWindowCloses({ name: 'final' }))
      .toStream()
      .to('out', { valueSerde: i64 });
    const topology = b.build();
    expect(topology.internalTopics.get('final-store-changelog')?.kind).toBe('changelog');
    const d = testDriver(topology);
    const input = d.createInputTopic('events', str, str);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 5 * MIN), i64);
    const read = () => out.readKeyValuesToList().map((r) => `${r.key!.key}@${r.key!.window.start / MIN}=${r.value}`);
    input.pipeInput('a', 'x', 1 * MIN);
    input.pipeInput('a', 'x', 2 * MIN);
    input.pipeInput('b', 'x', 4 * MIN);
    input.pipeInput('a', 'x', 5 * MIN + 30_000);
    input.pipeInput('a', 'x', 4 * MIN + 50_000); // within grace: still counted in [0,5)
    expect(read()).toEqual([]);
    input.pipeInput('c', 'x', 6 * MIN);
    expect(read()).toEqual(['a@0=3', 'b@0=1']);
    input.pipeInput('c', 'x', 11 * MIN);
    expect(read()).toEqual(['a@5=1', 'c@5=1']);
  });

  it('untilTimeLimit: the latest value of a key once the time limit passed since its first buffered update', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t', { keySerde: str, valueSerde: str, caching: false })
      .suppress(Suppressed.untilTimeLimit(10))
      .toStream()
      .to('out');
    const d = testDriver(b.build());
    const input = d.createInputTopic('t', str, str);
    const out = d.createOutputTopic('out', str, str);
    input.pipeInput('k', 'v1', 0);
    input.pipeInput('k', 'v2', 5);
    input.pipeInput('j', 'w1', 9);
    expect(out.readKeyValuesToList()).toEqual([]);
    input.pipeInput('j', 'w2', 10); // stream time 10: k (first buffered at 0) expires
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['k', 'v2', 5]]);
    input.pipeInput('k', 'v3', 19); // j (buffered at 9) expires; k is buffered again at 19
    expect(out.readKeyValuesToList()).toEqual([{ key: 'j', value: 'w2' }]);
  });

  it("a full buffer with 'emitEarly' forwards its oldest entries; with 'shutDown' it fails", () => {
    const early = new StreamsBuilder();
    early.table<string, string>('t', { keySerde: str, valueSerde: str, caching: false })
      .suppress(Suppressed.untilTimeLimit('1h', { maxRecords: 2, policy: 'emitEarly' }))
      .toStream()
      .to('out');
    const d1 = testDriver(early.build());
    const in1 = d1.createInputTopic('t', str, str);
    in1.pipeInput('a', '1', 1);
    in1.pipeInput('b', '1', 2);
    in1.pipeInput('c', '1', 3);
    expect(d1.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([{ key: 'a', value: '1' }]);

    const strict = new StreamsBuilder();
    strict.table<string, string>('t', { keySerde: str, valueSerde: str, caching: false })
      .suppress(Suppressed.untilTimeLimit('1h', { maxRecords: 2, policy: 'shutDown' }))
      .toStream()
      .to('out');
    const d2 = testDriver(strict.build());
    const in2 = d2.createInputTopic('t', str, str);
    in2.pipeInput('a', '1', 1);
    in2.pipeInput('b', '1', 2);
    expect(() => in2.pipeInput('c', '1', 3)).toThrow(/is full/);
  });

  it('untilWindowCloses needs a windowed table', () => {
    const b = new StreamsBuilder();
    const t = b.table<string, string>('t', { keySerde: str, valueSerde: str });
    expect(() => t.suppress(Suppressed.untilWindowCloses())).toThrow(/windowed table/);
  });

  it('the buffer logs its latest state per key at flush and is rebuilt from its changelog', () => {
    const log: { key: Buffer; value: Buffer | null; timestamp: number }[] = [];
    let restore: RestoreCallback | null = null;
    const context = {
      applicationId: 'app',
      taskId: { subtopology: 0, partition: 0 },
      stateDir: '',
      changelogTopic: 'app-buf-changelog',
      changelogPartition: 0,
      register: (_s: unknown, r: RestoreCallback) => (restore = r),
      logChange: (_n: string, key: Buffer, value: Buffer | null, timestamp: number) => log.push({ key, value, timestamp }),
      currentSystemTimeMs: () => 0,
    } satisfies StateStoreContext;
    const a = new InMemoryTimeOrderedKeyValueBuffer('buf', true);
    a.init(context, a);
    a.put(50, Buffer.from('k1'), Buffer.from('new'), Buffer.from('old'), 7);
    a.put(50, Buffer.from('k1'), Buffer.from('newer'), null, 8);
    a.put(20, Buffer.from('k2'), Buffer.from('x'), null, 9);
    a.flush();
    expect(log).toHaveLength(2);
    const evicted: string[] = [];
    a.evictWhile(() => a.minTime() <= 20, (e) => evicted.push(e.key.toString()));
    a.flush();
    expect(evicted).toEqual(['k2']);
    expect(log[2]).toMatchObject({ value: null });

    const b = new InMemoryTimeOrderedKeyValueBuffer('buf', true);
    b.init(context, b);
    restore!(log);
    expect(b.numRecords).toBe(1);
    const out: [string, number, string | undefined, string | undefined, number][] = [];
    b.evictWhile(() => true, (e) => out.push([e.key.toString(), e.time, e.newValue?.toString(), e.oldValue?.toString(), e.recordTimestamp]));
    expect(out).toEqual([['k1', 50, 'newer', 'old', 8]]);
  });
});
