import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();
const i64 = Serdes.int64();

afterEach(closeDrivers);

function words(b: StreamsBuilder) {
  return b.stream<string, string>('lines', { keySerde: str, valueSerde: str }).flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0));
}

describe('operators/k-grouped-stream', () => {
  it('groupBy + count: word count through the automatic repartition, one update per key per commit', () => {
    const b = new StreamsBuilder();
    words(b).groupBy((_k, w) => w, { keySerde: str, valueSerde: str }).count({ storeName: 'counts' }).toStream().to('counts-out', { valueSerde: i64 });
    const topology = b.build();
    expect([...topology.internalTopics.keys()].sort()).toEqual(['counts-changelog', 'counts-repartition']);
    const d = testDriver(topology);
    const lines = d.createInputTopic('lines', str, str);
    const out = d.createOutputTopic('counts-out', str, i64);
    lines.pipeInput(null, 'a b a', 1_000);
    // Caching: one commit after the line, so 'a' is forwarded once with its latest count.
    expect(out.readKeyValuesToMap()).toEqual(new Map([['a', 2], ['b', 1]]));
    lines.pipeInput(null, 'b c', 2_000);
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['b', 2, 2_000],
      ['c', 1, 2_000],
    ]);
    const store = d.getStateStore<any>('counts');
    expect(store.get('a')).toEqual({ value: 2, timestamp: 1_000 });
    expect(store.get('b')).toEqual({ value: 2, timestamp: 2_000 });
  });

  it('without caching every update is forwarded', () => {
    const b = new StreamsBuilder();
    words(b).groupBy((_k, w) => w, { keySerde: str, valueSerde: str }).count({ caching: false, kind: 'memory' }).toStream().to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    d.createInputTopic('lines', str, str).pipeInput(null, 'a b a', 1_000);
    expect(d.createOutputTopic('out', str, i64).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
    ]);
  });

  it('groupByKey on a partitioned stream adds no repartition; reduce and aggregate', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('amounts', { keySerde: str, valueSerde: i64 });
    s.groupByKey().reduce((x, y) => x + y, { storeName: 'sums' }).toStream().to('sums-out');
    s.groupByKey()
      .aggregate(() => ({ n: 0, max: -Infinity }), (_k, v, a) => ({ n: a.n + 1, max: Math.max(a.max, v) }), { storeName: 'stats', valueSerde: Serdes.json() })
      .toStream()
      .to('stats-out');
    const topology = b.build();
    expect([...topology.internalTopics.keys()].sort()).toEqual(['stats-changelog', 'sums-changelog']);
    const d = testDriver(topology);
    const input = d.createInputTopic('amounts', str, i64);
    input.pipeInput('x', 5, 10);
    input.pipeInput('y', 1, 20);
    input.pipeInput('x', 7, 15);
    expect(d.createOutputTopic('sums-out', str, i64).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['x', 5, 10],
      ['y', 1, 20],
      ['x', 12, 15],
    ]);
    expect(d.createOutputTopic('stats-out', str, Serdes.json<{ n: number; max: number }>()).readValuesToList()).toEqual([
      { n: 1, max: 5 },
      { n: 1, max: 1 },
      { n: 2, max: 7 },
    ]);
  });

  it('groupByKey on a rekeyed stream repartitions automatically, named after the store', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v.slice(0, 1))
      .groupByKey({ keySerde: str, valueSerde: str })
      .count({ storeName: 'by-initial' })
      .toStream()
      .to('out', { valueSerde: i64 });
    const topology = b.build();
    expect([...topology.internalTopics.keys()].sort()).toEqual(['by-initial-changelog', 'by-initial-repartition']);
    expect(topology.subtopologies.length).toBe(2);
    const d = testDriver(topology);
    const input = d.createInputTopic('in', str, str);
    input.pipeInput('1', 'apple');
    input.pipeInput('2', 'avocado');
    input.pipeInput('3', 'banana');
    expect(d.createOutputTopic('out', str, i64).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
      { key: 'b', value: 1 },
    ]);
  });

  it('drops and counts records with a null key or value', () => {
    const b = new StreamsBuilder();
    const table = b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'c' });
    table.toStream().to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('in', str, str);
    input.pipeInput(null, 'v');
    input.pipeInput('k', null);
    input.pipeInput('k', 'v');
    expect(d.createOutputTopic('out', str, i64).readKeyValuesToList()).toEqual([{ key: 'k', value: 1 }]);
    expect(table.droppedRecords!.nullKeyOrValue).toBe(2);
  });

  it('generated names are stable and derived from the ancestry', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupBy((_k, v) => v, { keySerde: str }).count().toStream().to('out');
    const topology = b.build();
    expect([...topology.internalTopics.keys()].sort()).toEqual(['in.groupBy-0.count-0-repartition', 'in.groupBy-0.count-0-store-changelog']);
  });
});
