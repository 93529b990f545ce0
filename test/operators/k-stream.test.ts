import { describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { StringSerde } from '../../core/serde/string-serde.ts';
import { JsonSerde } from '../../core/serde/json-serde.ts';
import { Int32Serde } from '../../core/serde/int32-serde.ts';
import { Record } from '../../core/processor/record.ts';
import type { Processor } from '../../core/processor/processor.ts';
import type { ProcessorContext } from '../../core/processor/processor-context.ts';
import type { FixedKeyProcessor, FixedKeyRecord } from '../../core/processor/processor.ts';
import type { FixedKeyProcessorContext } from '../../core/processor/processor-context.ts';
import { TopologyTestDriver, type TopologyTestDriverConfig } from '../../core/runtime/topology-test-driver.ts';

const str = new StringSerde();
const int = new Int32Serde();
const H = [{ key: 'trace', value: Buffer.from('abc') }];

function source(b = new StreamsBuilder()) {
  return { b, s: b.stream<string, string>('in', { keySerde: str, valueSerde: str }) };
}

function run(b: StreamsBuilder, inputs: [string | null, string, number?][], opts: TopologyTestDriverConfig = {}) {
  const h = new TopologyTestDriver(b.build(), opts);
  const input = h.createInputTopic('in', str, str);
  for (const [k, v, ts] of inputs) input.pipeInput(k, v, ts ?? 0, H);
  return h;
}

describe('operators/k-stream', () => {
  it('map: new key and value, timestamp and headers kept', () => {
    const { b, s } = source();
    s.map((k, v) => [v, k!.length] as const).to('out', { keySerde: str, valueSerde: int });
    const out = run(b, [['ab', 'x', 5]]).createOutputTopic('out', str, int).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([['x', 2, 5]]);
    expect(out[0]!.headers.lastHeader('trace')!.value!.toString()).toBe('abc');
  });

  it('mapValues: value only (mapper receives the key too), the key serde is inherited by to()', () => {
    const { b, s } = source();
    s.mapValues((v, k) => `${k}:${v.toUpperCase()}`).to('out', { valueSerde: str });
    const out = run(b, [['k', 'a', 7]]).createOutputTopic('out', str, str).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([['k', 'k:A', 7]]);
    expect(out[0]!.headers.size).toBe(1);
  });

  it('flatMap and flatMapValues: each output gets the timestamp and its own copy of the headers', () => {
    const { b, s } = source();
    const seen: Record<unknown, unknown>['headers'][] = [];
    s.flatMap((k, v) => v.split(',').map((w) => [w, k] as [string, string | null]))
      .peek(() => {})
      .process((): Processor<string, string | null, string, string | null> => {
        let ctx: ProcessorContext<string, string | null>;
        return {
          init(c) { ctx = c; },
          process(r) { seen.push(r.headers); ctx.forward(r); },
        };
      })
      .to('fm', { keySerde: str, valueSerde: str });
    s.flatMapValues((v) => v.split(',')).to('fmv', { valueSerde: str });
    const h = run(b, [['k', 'a,b', 9]]);
    expect(h.createOutputTopic('fm', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'k', 9],
      ['b', 'k', 9],
    ]);
    expect(h.createOutputTopic('fmv', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k', 'a', 9],
      ['k', 'b', 9],
    ]);
    // a change to one output's headers does not leak into its sibling
    seen[0]!.add('only-first', 'x');
    expect(seen[1]!.lastHeader('only-first')).toBeUndefined();
    expect(seen[1]!.lastHeader('trace')).toBeDefined();
  });

  it('filter and filterNot', () => {
    const { b, s } = source();
    s.filter((_k, v) => v.startsWith('a')).to('yes');
    s.filterNot((_k, v) => v.startsWith('a')).to('no');
    const h = run(b, [['1', 'apple'], ['2', 'banana'], ['3', 'avocado']]);
    expect(h.createOutputTopic('yes', str, str).readRecordsToList().map((r) => r.value)).toEqual(['apple', 'avocado']);
    expect(h.createOutputTopic('no', str, str).readRecordsToList().map((r) => r.value)).toEqual(['banana']);
  });

  it('selectKey keeps value, timestamp and headers', () => {
    const { b, s } = source();
    s.selectKey((_k, v) => v.length).to('out', { keySerde: int });
    const out = run(b, [['k', 'abcd', 3]]).createOutputTopic('out', int, str).readRecord();
    expect([out.key, out.value, out.timestamp, out.headers.size]).toEqual([4, 'abcd', 3, 1]);
  });

  it('peek forwards, foreach is terminal', () => {
    const { b, s } = source();
    const peeked: string[] = [];
    const each: string[] = [];
    s.peek((k, v) => peeked.push(`${k}=${v}`)).to('out');
    s.foreach((k, v) => each.push(`${k}=${v}`));
    const h = run(b, [['a', '1'], ['b', '2']]);
    expect(peeked).toEqual(['a=1', 'b=2']);
    expect(each).toEqual(['a=1', 'b=2']);
    expect(h.createOutputTopic('out', str, str).readRecordsToList()).toHaveLength(2);
    expect(b.build().describe().toString()).toContain('Processor: in.foreach-0 (stores: [])\n      --> none\n');
  });

  it('merge interleaves both streams in arrival order', () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, string>('in', { keySerde: str, valueSerde: str });
    const c = b.stream<string, string>('other', { keySerde: str, valueSerde: str });
    a.merge(c).to('out');
    const h = new TopologyTestDriver(b.build());
    h.createInputTopic('in', str, str).pipeInput('a', '1', 1);
    h.createInputTopic('other', str, str).pipeInput('c', '2', 2);
    h.createInputTopic('in', str, str).pipeInput('a', '3', 3);
    expect(h.createOutputTopic('out', str, str).readRecordsToList().map((r) => r.value)).toEqual(['1', '2', '3']);
    expect(() => a.merge(new StreamsBuilder().stream('x'))).toThrow(/same StreamsBuilder/);
  });

  it('print writes "[label]: key, value" lines', () => {
    const { b, s } = source();
    const lines: string[] = [];
    const to = { write: (t: string) => lines.push(t) };
    s.print({ label: 'L', to });
    s.mapValues((v) => ({ v })).print({ to, name: 'objs' });
    s.print({ to, mapper: (k, v) => `${v}<-${k}`, name: 'custom' });
    run(b, [['k', 'x']]);
    expect(lines).toEqual(['[L]: k, x\n', '[objs]: k, {"v":"x"}\n', '[custom]: x<-k\n']);
  });

  it('to with a TopicNameExtractor routes per record, with the record context', () => {
    const { b, s } = source();
    const contexts: string[] = [];
    s.to((k, v, ctx) => {
      contexts.push(`${ctx.topic}@${ctx.offset}/${ctx.timestamp}`);
      return `out-${v}`;
    });
    const h = run(b, [['1', 'a', 10], ['2', 'b', 11], ['3', 'a', 12]]);
    expect(h.createOutputTopic('out-a', str, str).readRecordsToList().map((r) => r.key)).toEqual(['1', '3']);
    expect(h.createOutputTopic('out-b', str, str).readRecordsToList().map((r) => r.key)).toEqual(['2']);
    expect(contexts).toEqual(['in@0/10', 'in@1/11', 'in@2/12']);
  });

  it('to with a partitioner calls it with the topic, typed key and value, and the partition count', () => {
    const { b, s } = source();
    const calls: unknown[] = [];
    s.to('out', { partitioner: (t, k, v, n) => (calls.push([t, k, v, n]), 0) });
    const h = run(b, [['a', '1'], ['b', '2']]);
    expect(calls).toEqual([
      ['out', 'a', '1', 1],
      ['out', 'b', '2', 1],
    ]);
    expect(h.createOutputTopic('out', str, str).readRecordsToList()).toHaveLength(2);
  });

  it('process runs a custom processor; processValues a fixed-key one', () => {
    class Dup implements Processor<string, string, string, string> {
      private ctx!: ProcessorContext<string, string>;
      init(c: ProcessorContext<string, string>) { this.ctx = c; }
      process(r: Record<string, string>) {
        this.ctx.forward(r.withKey(`${r.key}-1`));
        this.ctx.forward(r.withKey(`${r.key}-2`).withTimestamp(r.timestamp + 1));
      }
    }
    class Len implements FixedKeyProcessor<string, string, number> {
      private ctx!: FixedKeyProcessorContext<string, number>;
      init(c: FixedKeyProcessorContext<string, number>) { this.ctx = c; }
      process(r: FixedKeyRecord<string, string>) { this.ctx.forward(r.withValue(r.value.length)); }
    }
    const { b, s } = source();
    s.process(() => new Dup(), { name: 'dup' }).to('dup-out', { keySerde: str, valueSerde: str });
    s.processValues(() => new Len()).to('len-out', { valueSerde: int });
    const h = run(b, [['k', 'abc', 4]]);
    expect(h.createOutputTopic('dup-out', str, str).readRecordsToList().map((r) => [r.key, r.timestamp])).toEqual([
      ['k-1', 4],
      ['k-2', 5],
    ]);
    expect(h.createOutputTopic('len-out', str, int).readKeyValue()).toEqual({ key: 'k', value: 3 });
  });

  it('toObservable emits each record while the topology runs', async () => {
    const { b, s } = source();
    const obs = s.mapValues((v) => v.length).toObservable();
    const got = firstValueFrom(obs.pipe(take(2), toArray()));
    run(b, [['a', 'xy', 1], ['b', 'xyz', 2]]);
    const records = await got;
    expect(records.map((r) => [r.key, r.value, r.timestamp, r.headers.size])).toEqual([
      ['a', 2, 1, 1],
      ['b', 3, 2, 1],
    ]);
  });

  it('timestamp extractor and JSON serdes from Consumed are used by the source', () => {
    const b = new StreamsBuilder();
    b.stream<string, { at: number; n: number }>('in', {
      keySerde: str,
      valueSerde: new JsonSerde<{ at: number; n: number }>(),
      timestampExtractor: (r) => (r.value as { at: number }).at,
    })
      .mapValues((v) => v.n * 2)
      .to('out', { valueSerde: int });
    const h = new TopologyTestDriver(b.build());
    h.createInputTopic('in', str, new JsonSerde<{ at: number; n: number }>()).pipeInput('k', { at: 1234, n: 21 }, 1);
    const r = h.createOutputTopic('out', str, int).readRecord();
    expect([r.value, r.timestamp]).toEqual([42, 1234]);
  });

  it('rejects non-function arguments with TopologyError', () => {
    const { s } = source();
    expect(() => s.map(null as never)).toThrow(/map: expected a function/);
    expect(() => s.filter(1 as never)).toThrow(/filter: expected a function/);
    expect(() => s.to('')).toThrow(/non-empty/);
    expect(() => s.repartition({ numberOfPartitions: 0 })).toThrow(/positive integer/);
  });
});

describe('operators/k-stream headers and timestamps', () => {
  type Op = (s: ReturnType<typeof source>['s']) => { to(topic: string, p?: object): void };
  const ops: [string, Op][] = [
    ['filter', (s) => s.filter(() => true)],
    ['filterNot', (s) => s.filterNot(() => false)],
    ['peek', (s) => s.peek(() => {})],
    ['map', (s) => s.map((k, v) => [k, v] as const)],
    ['mapValues', (s) => s.mapValues((v) => v)],
    ['flatMap', (s) => s.flatMap((k, v) => [[k, v] as const])],
    ['flatMapValues', (s) => s.flatMapValues((v) => [v])],
    ['selectKey', (s) => s.selectKey((k) => k)],
    ['merge', (s) => s.merge(s.filter(() => false))],
    ['split branch', (s) => s.split({ name: 'b-' }).branch(() => true, { name: 'x' }).noDefaultBranch()['b-x']!],
    ['repartition', (s) => s.repartition({ keySerde: str, valueSerde: str })],
    ['processValues', (s) => s.processValues<string>(() => {
      let ctx: FixedKeyProcessorContext<string | null, string>;
      return { init: (c) => { ctx = c; }, process: (r) => ctx.forward(r) };
    })],
  ];
  for (const [name, op] of ops) {
    it(`${name} keeps the timestamp and the headers`, () => {
      const { b, s } = source();
      op(s).to('out', { keySerde: str, valueSerde: str });
      const driver = run(b, [['k', 'v', 1234]]);
      const r = driver.createOutputTopic('out', str, str).readRecord();
      expect([r.key, r.value, r.timestamp]).toEqual(['k', 'v', 1234]);
      expect(r.headers.toArray().map((h) => [h.key, h.value?.toString()])).toEqual([['trace', 'abc']]);
    });
  }
});
