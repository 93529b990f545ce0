import { describe, expect, it } from 'vitest';
import { Topology } from '../../../core/topology/topology.ts';
import { TopologyError } from '../../../core/errors/streams-errors.ts';
import type { StateStore, StoreBuilder } from '../../../core/processor/state-store.ts';
import type { Processor } from '../../../core/processor/processor.ts';

const noop = (): Processor<unknown, unknown> => ({ process() {} });

function storeBuilder(name: string, loggingEnabled = true): StoreBuilder {
  return {
    name,
    loggingEnabled,
    logConfig: { 'retention.ms': '1000' },
    build(): StateStore {
      throw new Error('not built in these tests');
    },
  };
}

describe('core/topology/topology', () => {
  it('builds a linear topology with children derived from parents', () => {
    const t = new Topology()
      .addSource('in', 'input')
      .addProcessor('p', noop, 'in')
      .addSink('out', 'output', {}, 'p');
    const physical = t.build();
    expect(physical.subtopologies).toHaveLength(1);
    const sub = physical.subtopologies[0]!;
    expect(sub.id).toBe(0);
    expect(sub.sources.map((s) => s.name)).toEqual(['in']);
    expect([...sub.nodes.keys()]).toEqual(['in', 'p', 'out']);
    const p = sub.nodes.get('p')!;
    expect(p.kind === 'processor' && p.children).toEqual(['out']);
    expect(sub.copartitionGroups).toEqual([[{ name: 'input', internal: false }]]);
  });

  it('splits sub-topologies at a repartition topic and numbers them by first source', () => {
    const t = new Topology()
      .addSource('a', 'topic-a')
      .addProcessor('map', noop, 'a')
      .addSink('to-rep', 'x-repartition', { internal: true }, 'map')
      .addSource('from-rep', 'x-repartition', { internal: true })
      .addProcessor('agg', noop, 'from-rep')
      .addSink('out', 'output', {}, 'agg');
    const physical = t.build();
    expect(physical.subtopologies.map((s) => [...s.nodes.keys()])).toEqual([
      ['a', 'map', 'to-rep'],
      ['from-rep', 'agg', 'out'],
    ]);
    const rep = physical.internalTopics.get('x-repartition')!;
    expect(rep).toMatchObject({ kind: 'repartition', producerSubtopology: 0, consumerSubtopology: 1 });
    expect(physical.subtopologies[1]!.copartitionGroups).toEqual([[{ name: 'x-repartition', internal: true }]]);
  });

  it('joins two source branches sharing a store into one sub-topology; logged stores get a changelog', () => {
    const t = new Topology()
      .addSource('s1', 't1')
      .addSource('s2', 't2')
      .addProcessor('p1', noop, 's1')
      .addProcessor('p2', noop, 's2')
      .addStateStore(storeBuilder('shared'), 'p1', 'p2')
      .addSource('s3', 't3')
      .addProcessor('p3', noop, 's3')
      .addStateStore(storeBuilder('unlogged', false))
      .connectProcessorAndStateStores('p3', 'unlogged');
    const physical = t.build();
    expect(physical.subtopologies).toHaveLength(2);
    expect(physical.subtopologies[0]!.storeNames).toEqual(['shared']);
    expect(physical.subtopologies[0]!.copartitionGroups).toEqual([
      [
        { name: 't1', internal: false },
        { name: 't2', internal: false },
      ],
    ]);
    expect(physical.subtopologies[1]!.storeNames).toEqual(['unlogged']);
    expect(physical.internalTopics.get('shared-changelog')).toMatchObject({
      kind: 'changelog',
      configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000' },
      producerSubtopology: 0,
      consumerSubtopology: null,
    });
    expect(physical.internalTopics.has('unlogged-changelog')).toBe(false);
    expect([...physical.storeBuilders.keys()]).toEqual(['shared', 'unlogged']);
  });

  it('accepts parents added later and explicit internal topic declarations', () => {
    const t = new Topology()
      .addSink('out', 'o', {}, 'p')
      .addProcessor('p', noop, 'in')
      .addSource('in', 'i')
      .addInternalTopic('r-repartition', { kind: 'repartition', numPartitions: 4 });
    const physical = t.build();
    expect([...physical.subtopologies[0]!.nodes.keys()]).toEqual(['out', 'p', 'in']);
    expect(physical.internalTopics.get('r-repartition')).toMatchObject({ numPartitions: 4, producerSubtopology: null });
  });

  it('rejects invalid topologies with TopologyError', () => {
    const cases: [string, () => unknown][] = [
      ['duplicate', () => new Topology().addSource('a', 'x').addProcessor('a', noop, 'a')],
      ['unknown parent', () => new Topology().addSource('a', 'x').addProcessor('p', noop, 'nope').build()],
      ['sink without parent', () => new Topology().addSource('a', 'x').addSink('s', 'y', {})],
      ['processor without parent', () => new Topology().addProcessor('p', noop)],
      ['cycle', () => new Topology().addSource('a', 'x').addProcessor('p', noop, 'a', 'q').addProcessor('q', noop, 'p').build()],
      ['self parent', () => new Topology().addSource('a', 'x').addProcessor('p', noop, 'p').build()],
      ['sink as parent', () => new Topology().addSource('a', 'x').addSink('s', 'y', {}, 'a').addProcessor('p', noop, 's').build()],
      ['topic read twice', () => new Topology().addSource('a', 'x').addSource('b', ['y', 'x'])],
      ['no topic', () => new Topology().addSource('a', [])],
      ['unknown store', () => new Topology().addSource('a', 'x').addProcessor('p', noop, 'a').connectProcessorAndStateStores('p', 'st').build()],
      ['unused store', () => new Topology().addSource('a', 'x').addStateStore(storeBuilder('st')).build()],
      ['store on a source', () => new Topology().addSource('a', 'x').addStateStore(storeBuilder('st'), 'a').build()],
      ['bad partitions', () => new Topology().addInternalTopic('r', { kind: 'repartition', numPartitions: 0 })],
      ['internal pattern', () => new Topology().addSource('a', /x.*/, { internal: true })],
    ];
    for (const [what, fn] of cases) {
      expect(fn, what).toThrow(TopologyError);
    }
    expect(() => new Topology().addSource('a', 'x').addProcessor('p', noop, 'a', 'q').addProcessor('q', noop, 'p').build()).toThrow(
      /cycle: p -> q -> p/,
    );
  });

  it('a built topology does not change with later additions', () => {
    const t = new Topology().addSource('in', 'i');
    const physical = t.build();
    t.addProcessor('p', noop, 'in');
    expect([...physical.subtopologies[0]!.nodes.keys()]).toEqual(['in']);
    expect(t.build().subtopologies[0]!.nodes.size).toBe(2);
  });

  describe('addGlobalStore', () => {
    const serde = { serialize: () => null, deserialize: () => null } as never;
    const options = { keySerde: serde, valueSerde: serde, processor: noop };

    it('carries global stores in the physical topology, outside the sub-topologies and their stores', () => {
      const physical = new Topology()
        .addSource('in', 'orders')
        .addProcessor('p', noop, 'in')
        .addGlobalStore(storeBuilder('countries', false), 'countries', options)
        .addGlobalStore(storeBuilder('rates', false), 'rates', { ...options, sourceName: 'rates-src', processorName: 'rates-up' })
        .build();
      expect(physical.subtopologies).toHaveLength(1);
      expect([...physical.storeBuilders.keys()]).toEqual([]);
      expect([...physical.internalTopics.keys()]).toEqual([]); // no changelog: the topic is the changelog
      expect(physical.globalStores.map((g) => [g.builder.name, g.topic, g.sourceName, g.processorName])).toEqual([
        ['countries', 'countries', 'global-countries-source', 'global-countries-update'],
        ['rates', 'rates', 'rates-src', 'rates-up'],
      ]);
      expect(physical.globalStores[0]!.processor).toBe(noop);
      expect(physical.globalStores[0]!.keySerde).toBe(serde);
    });

    it('rejects a logged store, missing serdes or processor, a taken topic, store or node name', () => {
      const t = (): Topology => new Topology().addSource('in', 'orders').addStateStore(storeBuilder('s'), 'p').addProcessor('p', noop, 'in');
      expect(() => t().addGlobalStore(storeBuilder('g', true), 'g', options)).toThrow(/must have logging disabled/);
      expect(() => t().addGlobalStore(storeBuilder('g', false), 'g', { ...options, keySerde: undefined as never })).toThrow(/key serde and a value serde/);
      expect(() => t().addGlobalStore(storeBuilder('g', false), 'g', { ...options, processor: undefined as never })).toThrow(/processor supplier/);
      expect(() => t().addGlobalStore(storeBuilder('g', false), 'orders', options)).toThrow(/already read by source "in"/);
      expect(() => t().addGlobalStore(storeBuilder('s', false), 'g', options)).toThrow(/Store "s" is already added/);
      expect(() => t().addGlobalStore(storeBuilder('g', false), 'g', { ...options, sourceName: 'p' })).toThrow(/Node "p" is already added/);
      const withGlobal = t().addGlobalStore(storeBuilder('g', false), 'g', options);
      expect(() => withGlobal.addSource('again', 'g')).toThrow(TopologyError);
      expect(() => withGlobal.addProcessor('global-g-source', noop, 'in')).toThrow(/already added/);
      expect(() => withGlobal.addGlobalStore(storeBuilder('g', false), 'h', options)).toThrow(/already added/);
    });

    it('refuses a processor connected to a global store (processors read them without a connection)', () => {
      const t = new Topology().addSource('in', 'orders').addProcessor('p', noop, 'in').addGlobalStore(storeBuilder('g', false), 'g', options);
      t.connectProcessorAndStateStores('p', 'g');
      expect(() => t.build()).toThrow(/connected to global store "g"/);
    });
  });
});
