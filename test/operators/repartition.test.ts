import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { StringSerde } from '../../core/serde/string-serde.ts';
import { Int32Serde } from '../../core/serde/int32-serde.ts';
import type { Processor } from '../../core/processor/processor.ts';
import type { ProcessorContext } from '../../core/processor/processor-context.ts';
import type { Record } from '../../core/processor/record.ts';
import type { StateStore, StateStoreContext, StoreBuilder } from '../../core/processor/state-store.ts';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';

const str = new StringSerde();
const int = new Int32Serde();

/** A minimal in-memory store (the state-stores issue brings the real ones). */
class CountStore implements StateStore {
  readonly persistent = false;
  readonly counts = new Map<string, number>();
  private open = false;
  constructor(readonly name: string) {}
  init(context: StateStoreContext, root: StateStore): void {
    context.register(root, () => {});
    this.open = true;
  }
  flush(): void {}
  close(): void {
    this.open = false;
  }
  isOpen(): boolean {
    return this.open;
  }
}

const store = (name: string): StoreBuilder => ({
  name,
  loggingEnabled: true,
  logConfig: {},
  build: () => new CountStore(name),
});

/** Counts per key in the store and forwards `<value>@<subtopology>#<count>`: which task saw it, how often. */
function countInTask(): Processor<string, string, string, string> {
  let ctx: ProcessorContext<string, string>;
  let counts: CountStore;
  return {
    init(c) {
      ctx = c;
      counts = c.getStateStore<CountStore>('seen');
    },
    process(r: Record<string, string>) {
      const n = (counts.counts.get(r.key) ?? 0) + 1;
      counts.counts.set(r.key, n);
      ctx.forward(r.withValue(`${r.value}@${ctx.taskId.subtopology}#${n}`));
    },
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
    const h = new TopologyTestDriver(physical, { applicationId: 'shop' });
    h.createInputTopic('orders', str, str).pipeInput('o1', 'alice:10', 100, [{ key: 'h', value: Buffer.from('1') }]);
    expect(h.captured('shop-by-customer-repartition')).toHaveLength(1);
    const r = h.createOutputTopic('out', str, str).readRecord();
    expect([r.key, r.value, r.timestamp, r.headers.size]).toEqual(['alice', '10', 100, 1]);
  });

  it('automatic repartition: process() with stores after a key change reads from <name>-repartition', () => {
    const b = new StreamsBuilder();
    b.addStateStore(store('seen'));
    const src = b.stream<string, string>('in', { keySerde: str, valueSerde: str });
    const rekeyed = src.selectKey((_k, v) => v);
    expect(rekeyed.repartitionRequired).toBe(true);
    rekeyed.process(countInTask, { name: 'dedupe', stores: ['seen'] }).to('out', { keySerde: str, valueSerde: str });
    const physical = b.build();
    expect(physical.subtopologies).toHaveLength(2);
    expect([...physical.subtopologies[1]!.nodes.keys()]).toEqual(['dedupe-repartition-source', 'dedupe', 'dedupe.to-0']);
    expect(physical.subtopologies[1]!.storeNames).toEqual(['seen']);
    expect(physical.internalTopics.get('dedupe-repartition')).toMatchObject({ producerSubtopology: 0, consumerSubtopology: 1 });
    expect(physical.internalTopics.get('seen-changelog')).toMatchObject({ producerSubtopology: 1 });

    const h = new TopologyTestDriver(physical, { applicationId: 'app', defaultKeySerde: str });
    const input = h.createInputTopic('in', str, str);
    input.pipeInput('k1', 'v', 5);
    input.pipeInput('k2', 'w', 6);
    input.pipeInput('k3', 'v', 7);
    expect(h.createOutputTopic('out', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['v', 'v@1#1', 5],
      ['w', 'w@1#1', 6],
      ['v', 'v@1#2', 7],
    ]);
    expect(h.captured('app-dedupe-repartition').map((r) => r.key!.toString())).toEqual(['v', 'w', 'v']);
  });

  it('no repartition without a key change, or for a stateless process()', () => {
    const b = new StreamsBuilder();
    b.addStateStore(store('seen'));
    const src = b.stream<string, string>('in', { keySerde: str, valueSerde: str });
    expect(src.repartitionRequired).toBe(false);
    src.mapValues((v) => v).process(countInTask, { stores: ['seen'] }).to('a', { keySerde: str, valueSerde: str });
    src.selectKey((_k, v) => v).process(countInTask).to('b', { keySerde: str, valueSerde: str });
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
    const h = new TopologyTestDriver(b.build(), { applicationId: 'a' });
    h.createInputTopic('in', str, str).pipeInput('k', 'abc', 1);
    expect(h.createOutputTopic('out', int, str).readKeyValue()).toEqual({ key: 3, value: 'abc' });
    expect(h.captured('a-count-repartition')).toHaveLength(1);
  });

  it('a repartition name that is not a valid topic name is refused', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in').selectKey((_k, v) => v);
    expect(() => s.repartition({ name: 'bad name' })).toThrow(/not a valid topic name/);
  });
});
