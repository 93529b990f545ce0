import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../core/serde/serdes.ts';
import { JoinWindows } from '../../operators/join-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import type { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

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
 * Kafka Streams developer guide, "KStream-KStream Join" (3.1+): one key, every record in one window,
 * processed in timestamp order; null values are dropped. `[X, y]` is the joiner's output per step.
 */
const DOCS_TABLE: { ts: number; side: 'L' | 'R'; value: string | null; inner: string[]; left: string[]; outer: string[] }[] = [
  { ts: 1, side: 'L', value: null, inner: [], left: [], outer: [] },
  { ts: 2, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 3, side: 'L', value: 'A', inner: [], left: [], outer: [] },
  { ts: 4, side: 'R', value: 'a', inner: ['[A, a]'], left: ['[A, a]'], outer: ['[A, a]'] },
  { ts: 5, side: 'L', value: 'B', inner: ['[B, a]'], left: ['[B, a]'], outer: ['[B, a]'] },
  { ts: 6, side: 'R', value: 'b', inner: ['[A, b]', '[B, b]'], left: ['[A, b]', '[B, b]'], outer: ['[A, b]', '[B, b]'] },
  { ts: 7, side: 'L', value: null, inner: [], left: [], outer: [] },
  { ts: 8, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 9, side: 'L', value: 'C', inner: ['[C, a]', '[C, b]'], left: ['[C, a]', '[C, b]'], outer: ['[C, a]', '[C, b]'] },
  { ts: 10, side: 'R', value: 'c', inner: ['[A, c]', '[B, c]', '[C, c]'], left: ['[A, c]', '[B, c]', '[C, c]'], outer: ['[A, c]', '[B, c]', '[C, c]'] },
  { ts: 11, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 12, side: 'L', value: null, inner: [], left: [], outer: [] },
  { ts: 13, side: 'R', value: null, inner: [], left: [], outer: [] },
  { ts: 14, side: 'R', value: 'd', inner: ['[A, d]', '[B, d]', '[C, d]'], left: ['[A, d]', '[B, d]', '[C, d]'], outer: ['[A, d]', '[B, d]', '[C, d]'] },
  {
    ts: 15,
    side: 'L',
    value: 'D',
    inner: ['[D, a]', '[D, b]', '[D, c]', '[D, d]'],
    left: ['[D, a]', '[D, b]', '[D, c]', '[D, d]'],
    outer: ['[D, a]', '[D, b]', '[D, c]', '[D, d]'],
  },
];

describe('operators/k-stream-k-stream-join', () => {
  for (const kind of ['inner', 'left', 'outer'] as const) {
    it(`${kind} join: the developer guide's KStream-KStream table, step by step (window 15 ms, no grace)`, () => {
      const h = harness(kind, JoinWindows.ofTimeDifferenceWithNoGrace(15));
      for (const step of DOCS_TABLE) {
        const out = h.pipe(step.side, 'k', step.value, step.ts);
        expect(out.map((r) => r.value), `${kind} after ${step.side}${step.ts}`).toEqual(step[kind]);
        expect(out.every((r) => r.key === 'k' && r.ts === step.ts)).toBe(true); // max(ts) is the newer input's
      }
      // Everything found a partner: closing every window emits nothing more.
      expect(h.pipe('L', 'other', 'Z', 1_000)).toEqual([]);
    });
  }

  it('left join: a left record without partner is emitted with null once stream time passes t + 2 * after + grace', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceAndGrace(10, 5)); // close delay 2 * 10 + 5 = 25
    expect(h.pipe('L', 'a', 'A', 100)).toEqual([]);
    expect(h.pipe('R', 'x', 'x', 110)).toEqual([]); // another key moves stream time
    expect(h.pipe('L', 'x', 'X', 125)).toEqual([]); // 125 is not past 100 + 25
    expect(h.pipe('L', 'y', 'Y', 126)).toEqual([{ key: 'a', value: '[A, null]', ts: 100 }]); // once, at its own timestamp
    expect(h.pipe('R', 'z', 'z', 500)).toEqual([
      { key: 'x', value: '[X, null]', ts: 125 },
      { key: 'y', value: '[Y, null]', ts: 126 },
    ]);
    expect(h.pipe('R', 'q', 'q', 600)).toEqual([]); // right records of a left join are never emitted alone
  });

  it('left join: a late partner within grace is joined, and the left record is then not emitted with null', () => {
    const h = harness('left', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    h.pipe('L', 'a', 'A', 100);
    h.pipe('L', 'x', 'X', 120); // stream time 120: A's window [90, 110] has ended, grace not over
    expect(h.pipe('R', 'a', 'a', 105)).toEqual([{ key: 'a', value: '[A, a]', ts: 105 }]); // 105 + after 10 + grace 5 >= 120: accepted
    expect(h.pipe('L', 'z', 'Z', 1_000).map((r) => r.value)).toEqual(['[X, null]']);
  });

  it('late records (after their window and grace) are dropped and join nothing', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    h.pipe('L', 'a', 'A', 100);
    expect(h.pipe('L', 'x', 'X', 126)).toEqual([{ key: 'a', value: '[A, null]', ts: 100 }]);
    expect(h.pipe('R', 'a', 'late', 110)).toEqual([]); // 110 + 10 + 5 < 126: late, dropped (no join with A)
    expect(h.pipe('R', 'a', 'ok', 112)).toEqual([]); // 112 + 15 >= 126: accepted; A (100) is outside [102, 122]
    expect(h.pipe('L', 'z', 'Z', 1_000).map((r) => [r.key, r.value, r.ts])).toEqual([
      ['a', '[null, ok]', 112],
      ['x', '[X, null]', 126],
    ]);
  });

  it('outer join: unmatched records of both sides come out in timestamp order; a match removes the waiting record', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceWithNoGrace(5)); // close delay 2 * 5
    h.pipe('R', 'b', 'b', 10);
    h.pipe('L', 'a', 'A', 11);
    h.pipe('L', 'c', 'C', 12);
    expect(h.pipe('R', 'c', 'c', 14)).toEqual([{ key: 'c', value: '[C, c]', ts: 14 }]);
    expect(h.pipe('L', 'q', 'Q', 20)).toEqual([]); // 20 is not past 10 + 10
    // stream time 22 closes b (10) and A (11); C and c matched, so they never come out alone
    expect(h.pipe('R', 'q', 'q', 22)).toEqual([
      { key: 'b', value: '[null, b]', ts: 10 },
      { key: 'a', value: '[A, null]', ts: 11 },
      { key: 'q', value: '[Q, q]', ts: 22 },
    ]);
    expect(h.pipe('L', 'z', 'Z', 100)).toEqual([]);
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

  it('before/after: asymmetric windows and acceptance; the result carries the later timestamp', () => {
    // right records may lie up to 10 before and 0 after the left record
    const h = harness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10).after(0));
    h.pipe('R', 'k', 'too-early', 80);
    h.pipe('R', 'k', 'early', 95);
    expect(h.pipe('L', 'k', 'L', 100)).toEqual([{ key: 'k', value: '[L, early]', ts: 100 }]); // L's window is [90, 100]
    expect(h.pipe('R', 'k', 'same', 100)).toEqual([{ key: 'k', value: '[L, same]', ts: 100 }]);
    expect(h.pipe('R', 'k', 'after', 101)).toEqual([]); // after the left record: outside [90, 100]
    // a left record may be up to before + grace = 10 behind stream time (101): its partners are still waited for
    expect(h.pipe('L', 'k', 'L2', 95)).toEqual([{ key: 'k', value: '[L2, early]', ts: 95 }]);
    // a right record only up to after + grace = 0: late, dropped
    expect(h.pipe('R', 'k', 'late', 100)).toEqual([]);
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

  it('null keys and null values are dropped on both sides', () => {
    const h = harness('outer', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(h.pipe('L', null, 'A', 1)).toEqual([]);
    expect(h.pipe('R', null, 'a', 2)).toEqual([]);
    expect(h.pipe('L', 'k', null, 3)).toEqual([]);
    expect(h.pipe('L', 'z', 'Z', 1_000).map((r) => r.value)).toEqual([]);
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
