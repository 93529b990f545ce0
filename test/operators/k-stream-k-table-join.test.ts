import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';
import { Topology } from '../../core/topology/topology.ts';
import { Stores } from '../../state-stores/stores.ts';
import { DroppedRecords } from '../../operators/dropped-records.ts';
import { kStreamKTableJoin } from '../../operators/k-stream-k-table-join.ts';
import { kTableSource } from '../../operators/k-table-source.ts';

const str = Serdes.string();

afterEach(closeDrivers);

const show = (l: string, r: string | null): string => `[${l}, ${r}]`;

/**
 * Follows the Kafka Streams developer guide as of Kafka 4.2 ("Streams DSL", KStream-KTable Join,
 * "Semantics of stream-table joins": https://kafka.apache.org/42/streams/developer-guide/dsl-api/;
 * unchanged since 3.x), row by row: one key, records in timestamp order; a null stream value is
 * dropped, a null table value deletes the row. Checked against that page on 2026-11-25: same inputs and
 * outputs for every row, inner and left.
 */
const DOCS_TABLE: { ts: number; side: 'S' | 'T'; value: string | null; inner: string[]; left: string[] }[] = [
  { ts: 1, side: 'S', value: null, inner: [], left: [] },
  { ts: 2, side: 'T', value: null, inner: [], left: [] },
  { ts: 3, side: 'S', value: 'A', inner: [], left: ['[A, null]'] },
  { ts: 4, side: 'T', value: 'a', inner: [], left: [] },
  { ts: 5, side: 'S', value: 'B', inner: ['[B, a]'], left: ['[B, a]'] },
  { ts: 6, side: 'T', value: 'b', inner: [], left: [] },
  { ts: 7, side: 'S', value: null, inner: [], left: [] },
  { ts: 8, side: 'T', value: null, inner: [], left: [] },
  { ts: 9, side: 'S', value: 'C', inner: [], left: ['[C, null]'] },
  { ts: 10, side: 'T', value: 'c', inner: [], left: [] },
  { ts: 11, side: 'T', value: null, inner: [], left: [] },
  { ts: 12, side: 'S', value: null, inner: [], left: [] },
  { ts: 13, side: 'T', value: null, inner: [], left: [] },
  { ts: 14, side: 'T', value: 'd', inner: [], left: [] },
  { ts: 15, side: 'S', value: 'D', inner: ['[D, d]'], left: ['[D, d]'] },
];

describe('operators/k-stream-k-table-join', () => {
  for (const kind of ['inner', 'left'] as const) {
    it(`${kind} join: the developer guide's KStream-KTable table, step by step`, () => {
      const b = new StreamsBuilder();
      const stream = b.stream<string, string>('stream', { keySerde: str, valueSerde: str });
      const table = b.table<string, string>('table', { keySerde: str, valueSerde: str, kind: 'memory' });
      (kind === 'inner' ? stream.join(table, (s, t) => show(s, t)) : stream.leftJoin(table, show)).to('out', { valueSerde: str });
      const d = testDriver(b.build());
      const s = d.createInputTopic('stream', str, str);
      const t = d.createInputTopic('table', str, str);
      const out = d.createOutputTopic('out', str, str);
      for (const step of DOCS_TABLE) {
        (step.side === 'S' ? s : t).pipeInput('k', step.value, step.ts);
        const records = out.readRecordsToList();
        expect(records.map((r) => r.value), `${kind} after ${step.side}${step.ts}`).toEqual(step[kind]);
        expect(records.every((r) => r.timestamp === step.ts && r.key === 'k')).toBe(true); // the stream record's timestamp
      }
    });
  }

  it('table updates alone emit nothing; the stream reads the latest row, also through a cached table store', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: str, valueSerde: str, storeName: 'users', caching: true });
    b.stream<string, string>('views', { keySerde: str, valueSerde: str })
      .join(users, (page, user, key) => `${key}:${user}@${page}`)
      .to('enriched', { valueSerde: str });
    const d = testDriver(b.build());
    const u = d.createInputTopic('users', str, str);
    const v = d.createInputTopic('views', str, str);
    u.pipeInput('u1', 'ann', 1);
    u.pipeInput('u1', 'anne', 2);
    u.pipeInput('u2', 'bob', 3);
    v.pipeInput('u1', '/home', 4);
    v.pipeInput('u3', '/nobody', 5);
    u.pipeInput('u2', null, 6);
    v.pipeInput('u2', '/gone', 7);
    v.pipeInput(null, '/null-key', 8);
    expect(d.createOutputTopic('enriched', str, str).readKeyValuesToList()).toEqual([{ key: 'u1', value: 'u1:anne@/home' }]);
  });

  it('null keys (KIP-962): leftJoin emits joiner(value, null) without a lookup, join drops and counts; null values are dropped by both', () => {
    for (const leftJoin of [false, true]) {
      const dropped = new DroppedRecords();
      const d = testDriver(
        new Topology()
          .addSource('users', 'users', { keySerde: str, valueSerde: str })
          .addProcessor('users-table', kTableSource('users-store', new DroppedRecords()), 'users')
          .addStateStore(Stores.timestampedKeyValueStoreBuilder({ name: 'users-store', keySerde: str, valueSerde: str, kind: 'memory', caching: false }), 'users-table')
          .addSource('views', 'views', { keySerde: str, valueSerde: str })
          .addProcessor('join', kStreamKTableJoin<string, string, string, string>('users-store', (v, u, k) => `${k}:${v}@${u}`, leftJoin, dropped), 'views')
          .connectProcessorAndStateStores('join', 'users-store')
          .addSink('out', 'out', { keySerde: str, valueSerde: str }, 'join')
          .build(),
      );
      d.createInputTopic('users', str, str).pipeInput('u1', 'ann', 1);
      const views = d.createInputTopic('views', str, str);
      views.pipeInput(null, '/null-key', 2);
      views.pipeInput('u1', null, 3);
      views.pipeInput(null, null, 4);
      views.pipeInput('u1', '/home', 5);
      const expected = [...(leftJoin ? [[null, 'null:/null-key@null', 2]] : []), ['u1', 'u1:/home@ann', 5]];
      expect(d.createOutputTopic('out', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual(expected);
      expect(dropped.nullKeyOrValue).toBe(leftJoin ? 2 : 3);
    }
  });

  it('DSL leftJoin: a null-key stream record is emitted joined with null, keeping its timestamp and null key', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: str, valueSerde: str, kind: 'memory' });
    b.stream<string, string>('views', { keySerde: str, valueSerde: str }).leftJoin(users, show).to('out', { valueSerde: str });
    const d = testDriver(b.build());
    d.createInputTopic('users', str, str).pipeInput('u1', 'ann', 1);
    d.createInputTopic('views', str, str).pipeInput(null, '/x', 7);
    expect(d.createOutputTopic('out', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([[null, '[/x, null]', 7]]);
  });

  it('a table without a store (filter, mapValues) is materialized for the join as <name>-table-store', () => {
    const b = new StreamsBuilder();
    const users = b
      .table<string, string>('users', { keySerde: str, valueSerde: str })
      .filter((_id, u) => !u.startsWith('banned'))
      .mapValues((u) => u.toUpperCase());
    expect(users.queryableStoreName).toBeNull();
    b.stream<string, string>('views', { keySerde: str, valueSerde: str })
      .leftJoin(users, (page, user) => `${page}:${user}`, { name: 'enrich', otherValueSerde: str })
      .to('out', { valueSerde: str });
    const topology = b.build();
    expect(topology.describe().toString()).toContain('enrich-table-store');
    const d = testDriver(topology);
    const u = d.createInputTopic('users', str, str);
    const v = d.createInputTopic('views', str, str);
    u.pipeInput('a', 'ann', 1);
    u.pipeInput('b', 'banned bob', 2);
    v.pipeInput('a', 'p1', 3);
    v.pipeInput('b', 'p2', 4);
    u.pipeInput('a', 'banned ann', 5); // the filter turns the row into a delete
    v.pipeInput('a', 'p3', 6);
    expect(d.createOutputTopic('out', str, str).readValuesToList()).toEqual(['p1:ANN', 'p2:null', 'p3:null']);
  });

  it('a rekeyed stream is repartitioned (<name>-repartition) before the join; the table is not', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: str, valueSerde: str });
    b.stream<string, string>('views', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v.split('/')[0]!)
      .join(users, (view, user) => `${user} saw ${view}`, { name: 'by-user', keySerde: str, valueSerde: str })
      .to('out', { valueSerde: str });
    const topology = b.build();
    expect([...topology.internalTopics.keys()]).toContain('by-user-repartition');
    const joinSub = topology.subtopologies.find((s) => s.nodes.has('by-user'))!;
    expect(joinSub.copartitionGroups[0]!.map((t) => t.name).sort()).toEqual(['by-user-repartition', 'users']);
    const d = testDriver(topology);
    d.createInputTopic('users', str, str).pipeInput('ann', 'Ann', 1);
    d.createInputTopic('views', str, str).pipeInput('x', 'ann/home', 2);
    expect(d.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([{ key: 'ann', value: 'Ann saw ann/home' }]);
  });
});
