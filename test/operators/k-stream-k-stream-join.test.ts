import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../core/serde/serdes.ts';
import { JoinWindows } from '../../operators/join-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import type { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';
import { Record } from '../../core/processor/record.ts';
import type { ProcessorContext } from '../../core/processor/processor-context.ts';
import { DroppedRecords } from '../../operators/dropped-records.ts';
import { kStreamKStreamJoin, type JoinTimeTracker, type StreamStreamJoinSettings } from '../../operators/k-stream-k-stream-join.ts';

const str = Serdes.string();

afterEach(closeDrivers);

type Kind = 'inner' | 'left' | 'outer';

const show = (l: string | null, r: string | null): string => `[${l}, ${r}]`;

/** A join of topics `left` and `right` (string keys and values) written to `out`. */
function joinTopology(kind: Kind, windows: JoinWindows, kindOfStore: 'memory' | 'lmdb' = 'memory') {
  const b = new StreamsBuilder();
  const left = b.stream<string, string>('left', { keySerde: str, valueSerde: str });
  const right = b.stream<string, string>('right', { keySerde: str, valueSerde: str });
  const options = { name: 'j', kind: kindOfStore } as const;
  const joined =
    kind === 'inner'
      ? left.join(right, (l, r) => show(l, r), windows, options)
      : kind === 'left'
        ? left.leftJoin(right, (l, r) => show(l, r), windows, options)
        : left.outerJoin(right, (l, r) => show(l, r), windows, options);
  joined.to('out', { valueSerde: str });
  return b.build();
}

function harness(kind: Kind, windows: JoinWindows) {
  const d: TopologyTestDriver = testDriver(joinTopology(kind, windows));
  const left = d.createInputTopic('left', str, str);
  const right = d.createInputTopic('right', str, str);
  const out = d.createOutputTopic('out', str, str);
  return {
    d,
    pipe(side: 'L' | 'R', key: string | null, value: string | null, ts: number): { key: string | null; value: string | null; ts: number }[] {
      (side === 'L' ? left : right).pipeInput(key, value, ts);
      return out.readRecordsToList().map((r) => ({ key: r.key, value: r.value, ts: r.timestamp ?? -1 }));
    },
  };
}

/**
 * Follows the Kafka Streams developer guide as of Kafka 4.2 ("Streams DSL", KStream-KStream Join,
 * "Semantics of stream-stream joins": https://kafka.apache.org/42/streams/developer-guide/dsl-api/,
 * the same table as in 3.1 to 4.1): one key, inputs in timestamp order, join window 15 with a grace
 * period of 5 (ms here; the guide's unit does not matter), `[X, y]` the joiner's output after each input.
 *
 * Rows 1-40 are the guide's. Rows 60, 80 and 100 show what Kafka Streams' `KStreamKStreamJoin`
 * really does, one row later than the guide prints it: a waiting record at `t` is emitted once stream
 * time passes `t + 15 + 5` (`minTime + window + grace >= streamTime` keeps it open), so [E, null] (40)
 * comes at 80, not 60, [F, null] (60) at 100, not 80, and [null, f] (80) at 101 (a row this test adds),
 * not 100. The guide's rows would hold with a time difference of 14.
 */
const DOCS_TABLE: { ts: number; side: 'L' | 'R'; value: string | null; inner: string[]; left: string[]; outer: string[] }[] = [
  { ts: 1, side: 'L', value: null, inner: [], left: [], outer: [] },
  { ts: 2, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 3, side: 'L', value: 'A', inner: [], left: [], outer: [] },
  { ts: 4, side: 'R', value: 'a', inner: ['[A, a]@4'], left: ['[A, a]@4'], outer: ['[A, a]@4'] },
  { ts: 5, side: 'L', value: 'B', inner: ['[B, a]@5'], left: ['[B, a]@5'], outer: ['[B, a]@5'] },
  { ts: 6, side: 'R', value: 'b', inner: ['[A, b]@6', '[B, b]@6'], left: ['[A, b]@6', '[B, b]@6'], outer: ['[A, b]@6', '[B, b]@6'] },
  { ts: 7, side: 'L', value: null, inner: [], left: [], outer: [] },
  { ts: 8, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 9, side: 'L', value: 'C', inner: ['[C, a]@9', '[C, b]@9'], left: ['[C, a]@9', '[C, b]@9'], outer: ['[C, a]@9', '[C, b]@9'] },
  {
    ts: 10,
    side: 'R',
    value: 'c',
    inner: ['[A, c]@10', '[B, c]@10', '[C, c]@10'],
    left: ['[A, c]@10', '[B, c]@10', '[C, c]@10'],
    outer: ['[A, c]@10', '[B, c]@10', '[C, c]@10'],
  },
  { ts: 11, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 12, side: 'L', value: null, inner: [], left: [], outer: [] },
  { ts: 13, side: 'R', value: null, inner: [], left: [], outer: [] },
  {
    ts: 14,
    side: 'R',
    value: 'd',
    inner: ['[A, d]@14', '[B, d]@14', '[C, d]@14'],
    left: ['[A, d]@14', '[B, d]@14', '[C, d]@14'],
    outer: ['[A, d]@14', '[B, d]@14', '[C, d]@14'],
  },
  {
    ts: 15,
    side: 'L',
    value: 'D',
    inner: ['[D, a]@15', '[D, b]@15', '[D, c]@15', '[D, d]@15'],
    left: ['[D, a]@15', '[D, b]@15', '[D, c]@15', '[D, d]@15'],
    outer: ['[D, a]@15', '[D, b]@15', '[D, c]@15', '[D, d]@15'],
  },
  { ts: 40, side: 'L', value: 'E', inner: [], left: [], outer: [] },
  { ts: 60, side: 'L', value: 'F', inner: [], left: [], outer: [] }, // guide: [E, null]
  { ts: 80, side: 'R', value: 'f', inner: [], left: ['[E, null]@40'], outer: ['[E, null]@40'] }, // guide: [F, null]
  { ts: 100, side: 'L', value: 'G', inner: [], left: ['[F, null]@60'], outer: ['[F, null]@60'] }, // guide: [null, f]
  // Not in the guide: f's window closes, and a partner for G removes G from the outer join store.
  { ts: 101, side: 'R', value: 'g', inner: ['[G, g]@101'], left: ['[G, g]@101'], outer: ['[null, f]@80', '[G, g]@101'] },
];

describe('operators/k-stream-k-stream-join', () => {
  for (const kind of ['inner', 'left', 'outer'] as const) {
    it(`${kind} join: the developer guide's KStream-KStream table, step by step (window 15, grace 5)`, () => {
      const h = harness(kind, JoinWindows.ofTimeDifferenceAndGrace(15, 5));
      for (const step of DOCS_TABLE) {
        const out = h.pipe(step.side, 'k', step.value, step.ts);
        expect(out.map((r) => `${r.value}@${r.ts}`), `${kind} after ${step.side}${step.ts}`).toEqual(step[kind]);
        expect(out.every((r) => r.key === 'k')).toBe(true);
      }
      // Nothing else waits: moving stream time far ahead emits nothing more for key k.
      expect(h.pipe('L', 'other', 'Z', 1_000)).toEqual([]);
    });
  }

  it('left join: a record without partner is emitted with null once stream time passes t + after + grace, not at it', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    expect(h.pipe('L', 'a', 'A', 100)).toEqual([]);
    expect(h.pipe('R', 'x', 'x', 110)).toEqual([]); // another key moves stream time
    expect(h.pipe('L', 'x', 'X', 115)).toEqual([{ key: 'x', value: '[X, x]', ts: 115 }]); // 100 + 10 + 5 >= 115: A still waits
    expect(h.pipe('L', 'y', 'Y', 116)).toEqual([{ key: 'a', value: '[A, null]', ts: 100 }]); // once, at its own timestamp
    expect(h.pipe('R', 'z', 'z', 500)).toEqual([{ key: 'y', value: '[Y, null]', ts: 116 }]);
    expect(h.pipe('R', 'q', 'q', 600)).toEqual([]); // right records of a left join are never emitted alone
  });

  it('left join: a partner within the window removes the waiting record, which is then never emitted with null', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    h.pipe('L', 'a', 'A', 100);
    h.pipe('L', 'x', 'X', 112); // stream time 112: A's window [90, 110] has ended, grace not over
    expect(h.pipe('R', 'a', 'a', 109)).toEqual([{ key: 'a', value: '[A, a]', ts: 109 }]);
    expect(h.pipe('L', 'z', 'Z', 1_000).map((r) => r.value)).toEqual(['[X, null]']);
  });

  it('left join: an out-of-order record whose window already ended is emitted with null at once (Kafka: t + after < stream time)', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    h.pipe('L', 'x', 'X', 120);
    // 105 + 10 < 120: not put into the outer join store, even though 105 + 10 + 5 is not past 120
    expect(h.pipe('L', 'a', 'A', 105)).toEqual([{ key: 'a', value: '[A, null]', ts: 105 }]);
    // A is in the left window store (retention 20 + 5): a late partner still joins it, as in Kafka
    expect(h.pipe('R', 'a', 'a', 110)).toEqual([{ key: 'a', value: '[A, a]', ts: 110 }]);
  });

  it("late records: joined with what the other side's window store still retains (before + after + grace), else emitted alone", () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceAndGrace(10, 5)); // retention 25
    h.pipe('L', 'a', 'A', 100);
    expect(h.pipe('L', 'x', 'X', 120)).toEqual([{ key: 'a', value: '[A, null]', ts: 100 }]);
    // later than A's window and grace, but the left store (stream time 120) still holds A (>= 96): joined
    expect(h.pipe('R', 'a', 'late', 105)).toEqual([{ key: 'a', value: '[A, late]', ts: 105 }]);
    h.pipe('L', 'y', 'Y', 200); // X (120) closes; the left store now keeps times >= 176
    expect(h.pipe('R', 'a', 'later', 110)).toEqual([{ key: 'a', value: '[null, later]', ts: 110 }]); // A expired: alone, at once
  });

  it('outer join: unmatched records of both sides come out in store order, each side by its own look-back', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceWithNoGrace(5));
    h.pipe('R', 'b', 'b', 10);
    h.pipe('L', 'a', 'A', 11);
    h.pipe('L', 'c', 'C', 12);
    expect(h.pipe('R', 'c', 'c', 14)).toEqual([{ key: 'c', value: '[C, c]', ts: 14 }]); // removes C from the store
    expect(h.pipe('L', 'q', 'Q', 15)).toEqual([]); // 10 + 5 >= 15: b still waits
    // stream time 16 closes b (10 + 5 < 16); A (11 + 5 >= 16) stays
    expect(h.pipe('L', 'q', 'Q2', 16)).toEqual([{ key: 'b', value: '[null, b]', ts: 10 }]);
    // Kafka's scan leaves minTime at the last entry it looked at (Q, 15), not at the oldest waiting one
    // (A, 11): at 17, 15 + 5 >= 17 skips the scan, so A waits although 11 + 5 < 17
    expect(h.pipe('R', 'q', 'q', 17)).toEqual([
      { key: 'q', value: '[Q, q]', ts: 17 },
      { key: 'q', value: '[Q2, q]', ts: 17 },
    ]);
    expect(h.pipe('R', 'r', 'r', 21)).toEqual([{ key: 'a', value: '[A, null]', ts: 11 }]);
    expect(h.pipe('L', 'z', 'Z', 100)).toEqual([{ key: 'r', value: '[null, r]', ts: 21 }]);
  });

  it('asymmetric windows: a left record waits after + grace, a right one before + grace; the scan shortcut uses the triggering side', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceAndGrace(20, 0).after(2)); // before 20, after 2
    h.pipe('L', 'a', 'A', 100);
    h.pipe('R', 'b', 'b', 100);
    expect(h.pipe('L', 'x', 'X', 102)).toEqual([]); // 100 + 2 >= 102
    expect(h.pipe('L', 'y', 'Y', 103)).toEqual([{ key: 'a', value: '[A, null]', ts: 100 }]); // b (right) waits until 120
    // X and Y have closed, but a right record checks minTime (102) + its look-ahead (before, 20) >= 120: no scan
    expect(h.pipe('R', 'w', 'w', 120)).toEqual([]);
    expect(h.pipe('L', 'u', 'U', 121)).toEqual([
      { key: 'b', value: '[null, b]', ts: 100 },
      { key: 'x', value: '[X, null]', ts: 102 },
      { key: 'y', value: '[Y, null]', ts: 103 },
    ]);
  });

  it('duplicates: equal keys and timestamps on one side are all kept, joined and emitted', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceWithNoGrace(0));
    h.pipe('L', 'a', 'A1', 5);
    h.pipe('L', 'a', 'A2', 5);
    expect(h.pipe('R', 'a', 'a', 5).map((r) => r.value)).toEqual(['[A1, a]', '[A2, a]']);
    h.pipe('L', 'b', 'B1', 6);
    h.pipe('L', 'b', 'B2', 6);
    expect(h.pipe('L', 'z', 'Z', 7).map((r) => r.value)).toEqual(['[B1, null]', '[B2, null]']);
  });

  it('before/after: asymmetric windows; the result carries the later timestamp; late records meet retained partners', () => {
    // right records may lie up to 10 before and 0 after the left record
    const h = harness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10).after(0));
    h.pipe('R', 'k', 'too-early', 80);
    h.pipe('R', 'k', 'early', 95);
    expect(h.pipe('L', 'k', 'L', 100)).toEqual([{ key: 'k', value: '[L, early]', ts: 100 }]); // L's window is [90, 100]
    expect(h.pipe('R', 'k', 'same', 100)).toEqual([{ key: 'k', value: '[L, same]', ts: 100 }]);
    expect(h.pipe('R', 'k', 'after', 101)).toEqual([]); // after the left record: outside [90, 100]
    // out of order: the right store (stream time 101, retention 10) still holds early (95)
    expect(h.pipe('L', 'k', 'L2', 95)).toEqual([{ key: 'k', value: '[L2, early]', ts: 95 }]);
    expect(h.pipe('R', 'k', 'again', 100)).toEqual([
      { key: 'k', value: '[L, again]', ts: 100 },
    ]); // L2 (95) is outside [100, 110]
  });

  it('self-join: a stream joined with itself pairs each record with itself and its window neighbours', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('left', { keySerde: str, valueSerde: str });
    s.join(s, (x, y) => show(x, y), JoinWindows.ofTimeDifferenceWithNoGrace(10), { kind: 'memory' }).to('out', { valueSerde: str });
    const d = testDriver(b.build());
    const input = d.createInputTopic('left', str, str);
    const out = d.createOutputTopic('out', str, str);
    input.pipeInput('k', 'A', 1);
    expect(out.readValuesToList()).toEqual(['[A, A]']);
    input.pipeInput('k', 'B', 2);
    expect(out.readValuesToList()).toEqual(['[B, A]', '[A, B]', '[B, B]']);
  });

  it('inner join: null keys and null values are dropped on both sides', () => {
    const h = harness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(h.pipe('L', null, 'A', 1)).toEqual([]);
    expect(h.pipe('R', null, 'a', 2)).toEqual([]);
    expect(h.pipe('L', 'k', null, 3)).toEqual([]);
    expect(h.pipe('R', 'k', null, 4)).toEqual([]);
    expect(h.pipe('L', 'k', 'B', 5)).toEqual([]); // nothing of the right side was stored
    expect(h.pipe('R', 'k', 'b', 6)).toEqual([{ key: 'k', value: '[B, b]', ts: 6 }]);
  });

  it('left join (KIP-962): a left null-key record is emitted at once with a null side; right null keys and null values are dropped', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(h.pipe('L', null, 'A', 1)).toEqual([{ key: null, value: '[A, null]', ts: 1 }]);
    expect(h.pipe('R', null, 'a', 2)).toEqual([]);
    expect(h.pipe('L', 'k', null, 3)).toEqual([]);
    expect(h.pipe('R', 'k', null, 4)).toEqual([]);
    expect(h.pipe('L', null, 'B', 5)).toEqual([{ key: null, value: '[B, null]', ts: 5 }]); // never matches, never waits
    expect(h.pipe('L', 'z', 'Z', 1_000)).toEqual([]); // nothing was waiting: the null-key records were not stored
  });

  it('outer join (KIP-962): null-key records of both sides are emitted at once with a null side; null values are dropped', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(h.pipe('L', null, 'A', 1)).toEqual([{ key: null, value: '[A, null]', ts: 1 }]);
    expect(h.pipe('R', null, 'a', 2)).toEqual([{ key: null, value: '[null, a]', ts: 2 }]);
    expect(h.pipe('L', 'k', null, 3)).toEqual([]);
    expect(h.pipe('R', 'k', null, 4)).toEqual([]);
    expect(h.pipe('L', 'z', 'Z', 1_000)).toEqual([]);
  });

  it('a null-key or null-value record still advances the join stream time (Kafka 3.7+ order)', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(h.pipe('L', null, 'A', 100)).toEqual([{ key: null, value: '[A, null]', ts: 100 }]);
    expect(h.pipe('L', 'k', 'B', 5)).toEqual([{ key: 'k', value: '[B, null]', ts: 5 }]); // its window ended before stream time 100
    const h2 = harness('left', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(h2.pipe('R', 'k', null, 100)).toEqual([]);
    expect(h2.pipe('L', 'k', 'B', 5)).toEqual([{ key: 'k', value: '[B, null]', ts: 5 }]);
  });

  it('counts what it drops: null values on every side, null keys on inner sides only', () => {
    for (const [leftOuter, rightOuter] of [[false, false], [true, false], [true, true]] as const) {
      const dropped = new DroppedRecords();
      const settings: StreamStreamJoinSettings<string> = {
        windows: JoinWindows.ofTimeDifferenceWithNoGrace(10),
        joiner: (l, r) => show(l as string | null, r as string | null),
        leftOuter,
        rightOuter,
        leftStoreName: 'l',
        rightStoreName: 'r',
        outerStoreName: leftOuter ? 'o' : null,
        dropped,
        trackers: new WeakMap<object, JoinTimeTracker>(),
      };
      const forwarded: unknown[] = [];
      const stores = new Map<string, object>([['l', {}], ['r', {}], ['o', {}]]);
      const context = { getStateStore: (name: string) => stores.get(name), forward: (r: Record<unknown, unknown>) => forwarded.push(r.value) };
      const left = kStreamKStreamJoin<string, string, string>(true, settings)();
      const right = kStreamKStreamJoin<string, string, string>(false, settings)();
      left.init(context as unknown as ProcessorContext<string, unknown>);
      right.init(context as unknown as ProcessorContext<string, unknown>);
      left.process(new Record<string, string>(null as unknown as string, 'A', 1));
      right.process(new Record<string, string>(null as unknown as string, 'a', 1));
      left.process(new Record<string, string>('k', null as unknown as string, 1));
      right.process(new Record<string, string>('k', null as unknown as string, 1));
      const emitted = [...(leftOuter ? ['[A, null]'] : []), ...(rightOuter ? ['[null, a]'] : [])];
      expect(forwarded).toEqual(emitted);
      expect(dropped.nullKeyOrValue).toBe(4 - emitted.length);
    }
  });

  it('the joiner gets the key as its third argument; the result keeps the left record headers', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>('left', { keySerde: str, valueSerde: str });
    const r = b.stream<string, string>('right', { keySerde: str, valueSerde: str });
    l.join(r, (lv, rv, key) => `${key}:${lv}+${rv}`, JoinWindows.ofTimeDifferenceWithNoGrace(10), { kind: 'memory' }).to('out', { valueSerde: str });
    const d = testDriver(b.build());
    d.createInputTopic('right', str, str).pipeInput('k', 'r', 1);
    d.createInputTopic('left', str, str).pipeInput('k', 'l', 2, [{ key: 'h', value: Buffer.from('1') }]);
    const [rec] = d.createOutputTopic('out', str, str).readRecordsToList();
    expect(rec!.value).toBe('k:l+r');
    expect(rec!.headers.toArray().map((h) => [h.key, h.value?.toString()])).toEqual([['h', '1']]);
  });
});
