import { describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../../core/runtime/topology-test-driver.ts';
import { Topology } from '../../../core/topology/topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { Headers, Record } from '../../../core/processor/record.ts';
import type { Processor } from '../../../core/processor/processor.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import type { ProcessorContext as Ctx } from '../../../core/processor/processor-context.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';
import { StreamsError } from '../../../core/errors/streams-errors.ts';
import { DLQ_ERROR_HEADER, DLQ_OFFSET_HEADER, DLQ_PARTITION_HEADER, DLQ_TOPIC_HEADER } from '../../../core/runtime/dead-letter.ts';

const str = Serdes.string();

function upper(): Processor<string, string, string, string> {
  let ctx!: Ctx<string, string>;
  return {
    init(c) {
      ctx = c;
    },
    process(r) {
      ctx.forward(r.withValue(r.value.toUpperCase()));
    },
  };
}

describe('core/runtime/topology-test-driver', () => {
  it('runs a Processor API topology and keeps timestamps and headers', () => {
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor('upper', upper, 'in')
      .addSink('out', 'output', { keySerde: str, valueSerde: str }, 'upper')
      .build();
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('input', str, str);
    const output = driver.createOutputTopic('output', str, str);
    input.pipeInput('k1', 'hello', 1000, new Headers().add('trace', 'abc').add('x', '1').add('trace', 'def'));
    input.pipeInput('k2', 'world', 1500);
    expect(output.getQueueSize()).toBe(2);
    const first = output.readRecord();
    expect(first.key).toBe('k1');
    expect(first.value).toBe('HELLO');
    expect(first.timestamp).toBe(1000);
    expect(first.headers.toArray().map((h) => `${h.key}=${h.value}`)).toEqual(['trace=abc', 'x=1', 'trace=def']);
    expect(output.readKeyValue()).toEqual({ key: 'k2', value: 'WORLD' });
    expect(output.isEmpty()).toBe(true);
    expect(() => output.readRecord()).toThrow(StreamsError);
    driver.close();
  });

  it('uses the topic clock for records without timestamp and supports list piping', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str }).mapValues((v) => v.length).to('out', { keySerde: str, valueSerde: Serdes.int32() });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', str, str, { startTimestamp: 100, autoAdvanceMs: 10 });
    const output = driver.createOutputTopic('out', str, Serdes.int32());
    input.pipeKeyValueList([['a', 'x'], { key: 'b', value: 'yy' }]);
    input.pipeValueList(['zzz']);
    const records = output.readRecordsToList();
    expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 100],
      ['b', 2, 110],
      [null, 3, 120],
    ]);
    input.pipeKeyValueList([['a', 'x'], ['a', 'xxxx'], ['c', '']]);
    expect(output.readKeyValuesToMap()).toEqual(new Map([['a', 4], ['c', 0]]));
  });

  it('feeds repartition topics back to the sub-topology reading them', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('words', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v.charAt(0))
      .repartition({ name: 'by-letter', keySerde: str, valueSerde: str })
      .mapValues((v, k) => `${k}:${v}`)
      .to('letters', { keySerde: str, valueSerde: str });
    const topology = b.build();
    expect(topology.subtopologies.length).toBe(2);
    const driver = new TopologyTestDriver(topology, { applicationId: 'app' });
    const input = driver.createInputTopic('words', str, str);
    const output = driver.createOutputTopic('letters', str, str);
    input.pipeInput(null, 'apple', 5);
    input.pipeInput(null, 'banana', 6);
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'a:apple', 5],
      ['b', 'b:banana', 6],
    ]);
    expect(driver.producedTopicNames()).toContain('app-by-letter-repartition');
  });

  it('fires stream-time punctuations as stream time passes and wall-clock punctuations with advanceWallClockTime', () => {
    const fired: string[] = [];
    let maxSeen = -1;
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor(
        'p',
        (): Processor<string, string, string, string> => {
          let ctx!: ProcessorContext<string, string>;
          return {
            init(c) {
              ctx = c;
              c.schedule(10, 'stream-time', (t) => fired.push(`stream@${t}`));
              c.schedule('1s', 'wall-clock', (t) => {
                fired.push(`wall@${t}`);
                ctx.forward(new Record('tick', String(t), t));
              });
            },
            process(r) {
              fired.push(`record@${r.timestamp}`);
              expect(ctx.recordMetadata()).toEqual({ topic: 'input', partition: 0, offset: Number(r.value) });
              maxSeen = Math.max(maxSeen, r.timestamp);
              expect(ctx.currentStreamTimeMs()).toBe(maxSeen);
            },
          } as Processor<string, string, string, string>;
        },
        'in',
      )
      .addSink('out', 'output', { keySerde: str, valueSerde: str }, 'p')
      .build();
    const driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 5000 });
    const input = driver.createInputTopic('input', str, str);
    input.pipeInput('k', '0', 0);
    input.pipeInput('k', '1', 25);
    input.pipeInput('k', '2', 26);
    input.pipeInput('k', '3', 5); // out of order: stream time stays 26
    input.pipeInput('k', '4', 30);
    expect(fired).toEqual(['record@0', 'stream@0', 'record@25', 'stream@25', 'record@26', 'record@5', 'record@30', 'stream@30']);
    fired.length = 0;
    driver.advanceWallClockTime(999);
    expect(fired).toEqual([]);
    driver.advanceWallClockTime(1);
    expect(fired).toEqual(['wall@6000']);
    const out = driver.createOutputTopic('output', str, str).readRecord();
    expect([out.key, out.value, out.timestamp]).toEqual(['tick', '6000', 6000]);
  });

  it('routes undeserializable records per handler: fail, continue, and dead letter with origin headers', () => {
    const topology = () =>
      new Topology()
        .addSource('in', 'input', { keySerde: str, valueSerde: Serdes.json<{ n: number }>() as never })
        .addSink('out', 'output', { keySerde: str, valueSerde: Serdes.json() as never }, 'in')
        .build();
    const raw = Serdes.bytes();
    const failing = new TopologyTestDriver(topology());
    const failIn = failing.createInputTopic('input', str, raw);
    expect(() => failIn.pipeInput('k', Buffer.from('{nope'), 1)).toThrow(/input-0@0/);

    const skipping = new TopologyTestDriver(topology(), { deserializationErrorHandler: 'logAndContinue' });
    const skipIn = skipping.createInputTopic('input', str, raw);
    skipIn.pipeInput('k', Buffer.from('{nope'), 1);
    skipIn.pipeInput('k', Buffer.from('{"n":1}'), 2);
    expect(skipping.createOutputTopic('output', str, Serdes.json()).readValuesToList()).toEqual([{ n: 1 }]);

    const dlq = new TopologyTestDriver(topology(), { deserializationErrorHandler: { deadLetterTopic: 'dlq' } });
    const dlqIn = dlq.createInputTopic('input', str, raw);
    dlqIn.pipeInput('k', Buffer.from('{"n":1}'), 1);
    dlqIn.pipeInput('bad', Buffer.from('{nope'), 2, [{ key: 'h', value: Buffer.from('v') }]);
    const dead = dlq.createOutputTopic('dlq', str, raw).readRecord();
    expect(dead.key).toBe('bad');
    expect(dead.value!.toString()).toBe('{nope');
    expect(dead.timestamp).toBe(2);
    const h = (k: string) => dead.headers.lastHeader(k)?.value?.toString();
    expect(h('h')).toBe('v');
    expect(h(DLQ_TOPIC_HEADER)).toBe('input');
    expect(h(DLQ_PARTITION_HEADER)).toBe('0');
    expect(h(DLQ_OFFSET_HEADER)).toBe('1');
    expect(h(DLQ_ERROR_HEADER)).toMatch(/Cannot deserialize value of input-0@1 with json/);
    expect(dlq.createOutputTopic('output', str, Serdes.json()).getQueueSize()).toBe(1);
  });

  it('applies the processing error handler and names the failing node', () => {
    const seen: string[] = [];
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor('boom', () => ({
        process(r: Record<string, string>) {
          if (r.value === 'bad') throw new Error('no bad values');
          ctxHolder.ctx!.forward(r);
        },
        init(c: Ctx<string, string>) {
          ctxHolder.ctx = c;
        },
      }), 'in')
      .addSink('out', 'output', { keySerde: str, valueSerde: str }, 'boom')
      .build();
    const ctxHolder: { ctx: Ctx<string, string> | null } = { ctx: null };
    const driver = new TopologyTestDriver(topology, {
      processingErrorHandler: (c) => {
        seen.push(`${c.nodeName}:${c.topic}-${c.partition}@${c.offset}:${(c.error as Error).message}`);
        return 'continue';
      },
    });
    const input = driver.createInputTopic('input', str, str);
    input.pipeValueList(['ok', 'bad', 'fine']);
    expect(driver.createOutputTopic('output', str, str).readValuesToList()).toEqual(['ok', 'fine']);
    expect(seen).toEqual(['boom:input-0@1:no bad values']);

    const failing = new TopologyTestDriver(topology);
    expect(() => failing.createInputTopic('input', str, str).pipeInput(null, 'bad')).toThrow(/processor "boom" failed on input-0 at offset 0/);
  });

  it('refuses a getStateStore on a store the processor is not connected to, and unknown topics', () => {
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor('p', () => ({
        init(c: Ctx<string, string>) {
          c.getStateStore('nope');
        },
        process() {},
      }), 'in')
      .build();
    expect(() => new TopologyTestDriver(topology)).toThrow(/not connected to store "nope"/);
    const ok = new TopologyTestDriver(new Topology().addSource('in', 'input', { keySerde: str, valueSerde: str }).addSink('o', 'out', { keySerde: str, valueSerde: str }, 'in').build());
    expect(() => ok.createInputTopic('other', str, str).pipeInput('k', 'v')).toThrow(/Unknown input topic "other"/);
    expect(() => ok.getStateStore('x')).toThrow(/no state store "x"/);
  });

  it('routes sink serialization failures to the production error handler', () => {
    const failingSerde = { name: 'picky', serialize: (_t: string, v: string | null) => { if (v === 'bad') throw new Error('cannot'); return v === null ? null : Buffer.from(v); }, deserialize: (_t: string, b: Buffer | null) => (b === null ? null : b.toString()) };
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addSink('out', 'output', { keySerde: str, valueSerde: failingSerde }, 'in')
      .build();
    const seen: string[] = [];
    const driver = new TopologyTestDriver(topology, {
      productionErrorHandler: (c) => {
        seen.push(`${c.phase}:${c.nodeName}:${c.topic}`);
        return 'continue';
      },
    });
    driver.createInputTopic('input', str, str).pipeValueList(['ok', 'bad', 'fine']);
    expect(driver.createOutputTopic('output', str, str).readValuesToList()).toEqual(['ok', 'fine']);
    expect(seen).toEqual(['serialization:out:output']);
    const failing = new TopologyTestDriver(topology);
    expect(() => failing.createInputTopic('input', str, str).pipeInput(null, 'bad')).toThrow(/sink "out" cannot serialize a record for topic "output": cannot/);
  });
});
