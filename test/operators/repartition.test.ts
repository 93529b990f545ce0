import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { StringSerde } from '../../core/serde/string-serde.ts';
import { Int32Serde } from '../../core/serde/int32-serde.ts';
import type { Processor } from '../../core/processor/processor.ts';
import type { ProcessorContext } from '../../core/processor/processor-context.ts';
import type { Record } from '../../core/processor/record.ts';
import type { StateStore, StoreBuilder } from '../../core/processor/state-store.ts';
import { TopologyHarness } from './topology-harness.ts';

const str = new StringSerde();
const int = new Int32Serde();

const store = (name: string): StoreBuilder => ({
  name,
  loggingEnabled: true,
  logConfig: {},
  build(): StateStore {
    throw new Error('not needed: the test processor does not open its store');
  },
});

/** Forwards `<key>@<subtopology>` so the test sees which task processed the record. */
function tagTask(): Processor<string, string, string, string> {
  let ctx: ProcessorContext<string, string>;
  return {
    init(c) { ctx = c; },
    process(r: Record<string, string>) { ctx.forward(r.withValue(`${r.value}@${ctx.taskId.subtopology}`)); },
  };
}

describe('operators/repartition', () => {
  it('explicit repartition: sink -> internal topic -> source, two sub-topologies, data flows through', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('orders', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v.split(':')[0]!)
      .repartition({ name: 'by-customer', numberOfPartitions: 3, keySerde: str })
      .mapValues((v) => v.split(':')[1]!)
      .to('out', { valueSerde: str });
    const physical = b.build();
    expect(physical.subtopologies.map((s) => [...s.nodes.keys()])).toEqual([
      ['orders', 'orders.selectKey-0', 'by-customer-repartition-sink'],
      ['by-customer-repartition-source', 'by-customer-repartition-source.mapValues-0', 'by-customer-repartition-source.mapValues-0.to-0'],
    ]);
    expect(physical.internalTopics.get('by-customer-repartition')).toMatchObject({
      kind: 'repartition',
      numPartitions: 3,
      producerSubtopology: 0,
      consumerSubtopology: 1,
    });
    const h = new TopologyHarness(physical, { applicationId: 'shop' });
    h.createInputTopic('orders', str, str).pipeInput('o1', 'alice:10', 100, [{ key: 'h', value: Buffer.from('1') }]);
    expect(h.records('shop-by-customer-repartition')).toHaveLength(1);
    const r = h.createOutputTopic('out', str, str).readRecord();
    expect([r.key, r.value, r.timestamp, r.headers.size]).toEqual(['alice', '10', 100, 1]);
  });

  it('automatic repartition: process() with stores after a key change reads from <name>-repartition', () => {
    const b = new StreamsBuilder();
    b.addStateStore(store('seen'));
    const src = b.stream<string, string>('in', { keySerde: str, valueSerde: str });
    const rekeyed = src.selectKey((_k, v) => v);
    expect(rekeyed.repartitionRequired).toBe(true);
    rekeyed.process(tagTask, { name: 'dedupe', stores: ['seen'] }).to('out', { keySerde: str, valueSerde: str });
    const physical = b.build();
    expect(physical.subtopologies).toHaveLength(2);
    expect([...physical.subtopologies[1]!.nodes.keys()]).toEqual(['dedupe-repartition-source', 'dedupe', 'dedupe.to-0']);
    expect(physical.subtopologies[1]!.storeNames).toEqual(['seen']);
    expect(physical.internalTopics.get('dedupe-repartition')).toMatchObject({ producerSubtopology: 0, consumerSubtopology: 1 });
    expect(physical.internalTopics.get('seen-changelog')).toMatchObject({ producerSubtopology: 1 });

    const h = new TopologyHarness(physical, { applicationId: 'app', defaultKeySerde: str });
    h.createInputTopic('in', str, str).pipeInput('k', 'v', 5);
    expect(h.createOutputTopic('out', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['v', 'v@1', 5]]);
  });

  it('no repartition without a key change, or for a stateless process()', () => {
    const b = new StreamsBuilder();
    b.addStateStore(store('s1'));
    const src = b.stream<string, string>('in', { keySerde: str, valueSerde: str });
    expect(src.repartitionRequired).toBe(false);
    src.mapValues((v) => v).process(tagTask, { stores: ['s1'] }).to('a', { keySerde: str, valueSerde: str });
    src.selectKey((_k, v) => v).process(tagTask).to('b', { keySerde: str, valueSerde: str });
    const physical = b.build();
    expect(physical.subtopologies).toHaveLength(1);
    expect(physical.internalTopics.size).toBe(1); // only the store changelog
  });

  it('ensureCopartitioned inserts one repartition per name and returns a partitioned stream', () => {
    const b = new StreamsBuilder();
    const src = b.stream<string, string>('in', { keySerde: str, valueSerde: str });
    expect(src.ensureCopartitioned('x')).toBe(src);
    const rekeyed = src.map((_k, v) => [v.length, v] as const);
    const p1 = rekeyed.ensureCopartitioned('count', { keySerde: int, valueSerde: str });
    expect(rekeyed.ensureCopartitioned('count')).toBe(p1);
    expect(p1.keying).toBe('partitioned');
    expect(p1.repartitionRequired).toBe(false);
    p1.to('out');
    const h = new TopologyHarness(b.build(), { applicationId: 'a' });
    h.createInputTopic('in', str, str).pipeInput('k', 'abc', 1);
    expect(h.createOutputTopic('out', int, str).readKeyValue()).toEqual([3, 'abc']);
    expect(h.records('a-count-repartition')).toHaveLength(1);
  });

  it('a repartition name that is not a valid topic name is refused', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in').selectKey((_k, v) => v);
    expect(() => s.repartition({ name: 'bad name' })).toThrow(/not a valid topic name/);
  });
});
