import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { TopologyError } from '../../core/errors/streams-errors.ts';
import type { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();

afterEach(closeDrivers);

const show = (l: string | null, r: string | null): string => `${l}-${r}`;

/**
 * Follows the Kafka Streams developer guide as of Kafka 4.2 ("Streams DSL", KTable-KTable Equi-Join,
 * "Semantics of table-table equi-joins": https://kafka.apache.org/42/streams/developer-guide/dsl-api/;
 * unchanged since 3.x): one key, inputs in timestamp order on both sides, and the output of each join
 * variant after each input (undefined: no output; null: a tombstone). Checked against that page on
 * 2026-11-25: same inputs and outputs for every row of inner, left and outer.
 */
const STEPS: readonly (readonly [ts: number, side: 'left' | 'right', value: string | null, inner: string | null | undefined, left: string | null | undefined, outer: string | null | undefined])[] = [
  [1, 'left', null, undefined, undefined, undefined],
  [2, 'right', null, undefined, undefined, undefined],
  [3, 'left', 'A', undefined, 'A-null', 'A-null'],
  [4, 'right', 'a', 'A-a', 'A-a', 'A-a'],
  [5, 'left', 'B', 'B-a', 'B-a', 'B-a'],
  [6, 'right', 'b', 'B-b', 'B-b', 'B-b'],
  [7, 'left', null, null, null, 'null-b'],
  [8, 'right', null, undefined, undefined, null],
  [9, 'left', 'C', undefined, 'C-null', 'C-null'],
  [10, 'right', 'c', 'C-c', 'C-c', 'C-c'],
  [11, 'right', null, null, 'C-null', 'C-null'],
  [12, 'left', null, undefined, null, null],
  [13, 'right', null, undefined, undefined, undefined],
  [14, 'right', 'd', undefined, undefined, 'null-d'],
  [15, 'left', 'D', 'D-d', 'D-d', 'D-d'],
];

function guideTopology(materialized: boolean): StreamsBuilder {
  const b = new StreamsBuilder();
  const left = b.table<string, string>('left', { keySerde: str, valueSerde: str, caching: false });
  const right = b.table<string, string>('right', { keySerde: str, valueSerde: str, caching: false });
  const opts = (storeName: string) => (materialized ? { storeName, valueSerde: str, caching: false } : { valueSerde: str });
  left.join(right, show, opts('inner-store')).toStream().to('inner');
  left.leftJoin(right, show, opts('left-store')).toStream().to('left-out');
  left.outerJoin(right, show, opts('outer-store')).toStream().to('outer');
  return b;
}

function runGuide(d: TopologyTestDriver): void {
  const left = d.createInputTopic('left', str, str);
  const right = d.createInputTopic('right', str, str);
  const outputs = {
    inner: d.createOutputTopic('inner', str, str),
    left: d.createOutputTopic('left-out', str, str),
    outer: d.createOutputTopic('outer', str, str),
  };
  for (const [ts, side, value, inner, leftJoin, outer] of STEPS) {
    (side === 'left' ? left : right).pipeInput('k', value, ts);
    const expected = { inner, left: leftJoin, outer };
    for (const variant of ['inner', 'left', 'outer'] as const) {
      const got = outputs[variant].readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
      const want = expected[variant] === undefined ? [] : [['k', expected[variant], ts]];
      expect(got, `${variant} join after ts ${ts} (${side} ${value})`).toEqual(want);
    }
  }
}

describe('operators/k-table (table-table joins)', () => {
  it("join, leftJoin and outerJoin follow Kafka Streams' join table, input by input", () => {
    runGuide(testDriver(guideTopology(false).build()));
  });

  it('the same table with materialized results; the stores hold the final results', () => {
    const d = testDriver(guideTopology(true).build());
    runGuide(d);
    expect(d.getStateStore<any>('inner-store').get('k')).toEqual({ value: 'D-d', timestamp: 15 });
    expect(d.getStateStore<any>('outer-store').get('k')).toEqual({ value: 'D-d', timestamp: 15 });
  });

  it('the result timestamp is the larger of the two rows; other keys are untouched', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str, caching: false });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str, caching: false });
    left.join(right, show).toStream().to('out', { valueSerde: str });
    const d = testDriver(b.build());
    const l = d.createInputTopic('left', str, str);
    const r = d.createInputTopic('right', str, str);
    r.pipeInput('x', 'a', 50);
    l.pipeInput('x', 'A', 10); // older than the right row: result at 50
    l.pipeInput('y', 'B', 60); // no partner
    r.pipeInput('x', 'b', 20); // newer than the left row (10): result at 20
    const out = d.createOutputTopic('out', str, str).readRecordsToList();
    expect(out.map((x) => [x.key, x.value, x.timestamp])).toEqual([
      ['x', 'A-a', 50],
      ['x', 'A-b', 20],
    ]);
  });

  it('joins tables that are not materialized (filter, mapValues) by materializing them for the join', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str, caching: false });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str, caching: false });
    const bigLeft = left.filter((_k, v) => v.length > 1);
    const upperRight = right.mapValues((v) => v.toUpperCase(), { valueSerde: str });
    bigLeft.join(upperRight, show, { name: 'j' }).toStream().to('out', { valueSerde: str });
    const topology = b.build();
    const d = testDriver(topology);
    const l = d.createInputTopic('left', str, str);
    const r = d.createInputTopic('right', str, str);
    l.pipeInput('k', 'xx', 1);
    r.pipeInput('k', 'yy', 2);
    l.pipeInput('k', 'z', 3); // filtered out: the result goes
    l.pipeInput('k', 'ww', 4);
    expect(d.createOutputTopic('out', str, str).readValuesToList()).toEqual(['xx-YY', null, 'ww-YY']);
    expect(d.getStateStore<any>('j-left-materialize-store').get('k')).toEqual({ value: 'ww', timestamp: 4 });
    expect(d.getStateStore<any>('j-right-materialize-store').get('k')).toEqual({ value: 'YY', timestamp: 2 });
  });

  it('a join result is a table: it can be filtered, mapped, grouped and queried', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str, caching: false });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str, caching: false });
    const joined = left.leftJoin(right, (l, r) => (r === null ? l : `${l}+${r}`), { storeName: 'joined', valueSerde: str, caching: false });
    expect(joined.queryableStoreName).toBe('joined');
    joined.mapValues((v) => v.length, { valueSerde: Serdes.int32() }).toStream().to('lengths', { valueSerde: Serdes.int32() });
    const d = testDriver(b.build());
    d.createInputTopic('left', str, str).pipeInput('k', 'abc', 1);
    d.createInputTopic('right', str, str).pipeInput('k', 'de', 2);
    expect(d.createOutputTopic('lengths', str, Serdes.int32()).readValuesToList()).toEqual([3, 6]);
    expect(d.getStateStore<any>('joined').get('k')).toEqual({ value: 'abc+de', timestamp: 2 });
  });

  it.each([
    ['not materialized', {}],
    ['materialized', { storeName: 'joined', caching: false }],
  ])('old values reach a downstream aggregation (%s): groupBy().count() subtracts what it added', (_label, store) => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str, caching: false });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str, caching: false });
    left
      .join(right, (l, r) => `${r}:${l}`, { valueSerde: str, ...store })
      .groupBy((_k, v) => [v.split(':')[0]!, v], { keySerde: str, valueSerde: str })
      .count({ storeName: 'per-group', caching: false })
      .toStream()
      .to('counts', { valueSerde: Serdes.int64() });
    const d = testDriver(b.build());
    const l = d.createInputTopic('left', str, str);
    const r = d.createInputTopic('right', str, str);
    r.pipeInput('k1', 'g1', 1);
    r.pipeInput('k2', 'g1', 2);
    l.pipeInput('k1', 'x', 3);
    l.pipeInput('k2', 'y', 4);
    r.pipeInput('k1', 'g2', 5); // k1 moves from g1 to g2
    l.pipeInput('k2', null, 6); // k2's result goes
    const counts = d.getStateStore<any>('per-group');
    expect(counts.get('g1')?.value ?? 0).toBe(0);
    expect(counts.get('g2')?.value).toBe(1);
  });

  it('throws a TopologyError naming both inputs when the tables come from different builders', () => {
    const b1 = new StreamsBuilder();
    const b2 = new StreamsBuilder();
    const t1 = b1.table<string, string>('t1', { keySerde: str, valueSerde: str });
    const t2 = b2.table<string, string>('t2', { keySerde: str, valueSerde: str });
    expect(() => t1.join(t2, show)).toThrow(TopologyError);
    expect(() => t1.outerJoin(t2, show)).toThrow(/"t1-table-source" and "t2-table-source"/);
    expect(() => t1.leftJoin(t1, 'nope' as never)).toThrow(/joiner/);
  });

  it('names the nodes after the join and keeps names stable', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str });
    left.join(right, show).toStream().to('out', { valueSerde: str });
    const text = JSON.stringify(b.build().describe());
    expect(text).toContain('left-table-source.join-0-left');
    expect(text).toContain('left-table-source.join-0-right');
    // the two tables and the join are one sub-topology, so their topics are co-partitioned
    expect(b.build().subtopologies.length).toBe(1);
  });
});
