import { describe, expect, it } from 'vitest';
import { Topology } from '../../../core/topology/topology.ts';
import type { Processor } from '../../../core/processor/processor.ts';
import type { StoreBuilder } from '../../../core/processor/state-store.ts';

const noop = (): Processor<unknown, unknown> => ({ process() {} });
const store: StoreBuilder = {
  name: 'counts',
  loggingEnabled: true,
  logConfig: {},
  build() {
    throw new Error('unused');
  },
};

function twoSubtopologies(): Topology {
  return new Topology()
    .addSource('src', 'input')
    .addProcessor('rekey', noop, 'src')
    .addSink('rep-sink', 'counts-repartition', { internal: true }, 'rekey')
    .addSource('rep-src', 'counts-repartition', { internal: true })
    .addProcessor('count', noop, 'rep-src')
    .addStateStore(store, 'count')
    .addSink('out', 'output', {}, 'count')
    .addSink('routed', function byLevel() { return 'x'; }, {}, 'count');
}

describe('core/topology/topology-description', () => {
  it('prints like Kafka Streams TopologyDescription', () => {
    expect(twoSubtopologies().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: src (topics: [input])',
        '      --> rekey',
        '    Processor: rekey (stores: [])',
        '      --> rep-sink',
        '      <-- src',
        '    Sink: rep-sink (topic: counts-repartition)',
        '      <-- rekey',
        '',
        '   Sub-topology: 1',
        '    Source: rep-src (topics: [counts-repartition])',
        '      --> count',
        '    Processor: count (stores: [counts])',
        '      --> out, routed',
        '      <-- rep-src',
        '    Sink: out (topic: output)',
        '      <-- count',
        '    Sink: routed (extractor: byLevel)',
        '      <-- count',
        '',
        '',
      ].join('\n'),
    );
  });

  it('prints a pattern source and "none" for a node without successors', () => {
    const text = new Topology().addSource('s', /logs-.*/).describe().toString();
    expect(text).toContain('    Source: s (topicPattern: logs-.*)\n      --> none\n');
  });

  it('exposes structured node descriptions', () => {
    const d = twoSubtopologies().describe();
    expect(d.subtopologies.map((s) => s.nodes.map((n) => `${n.kind}:${n.name}`))).toEqual([
      ['source:src', 'processor:rekey', 'sink:rep-sink'],
      ['source:rep-src', 'processor:count', 'sink:out', 'sink:routed'],
    ]);
  });

  it('renders a Mermaid flowchart with a subgraph per sub-topology, topics and stores as nodes', () => {
    const m = twoSubtopologies().describe().toMermaid();
    const lines = m.trim().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  subgraph sub0["Sub-topology: 0"]');
    expect(lines).toContain('  subgraph sub1["Sub-topology: 1"]');
    expect(lines).toContain('    n0["Source: src"]');
    // the repartition topic is one node: written by sub-topology 0, read by sub-topology 1
    const repTopic = lines.find((l) => l.includes('[/"counts-repartition"/]'))!.trim().split('[')[0]!;
    expect(lines).toContain(`  n2 --> ${repTopic}`);
    expect(lines).toContain(`  ${repTopic} --> n3`);
    expect(lines).toContain('  s0[("counts")]');
    expect(lines).toContain('  n4 --- s0');
    expect(lines.filter((l) => l.trim() === 'end')).toHaveLength(2);
  });

  it('escapes quotes in Mermaid labels', () => {
    const m = new Topology().addSource('say "hi"', 't').describe().toMermaid();
    expect(m).toContain('n0["Source: say #quot;hi#quot;"]');
  });

  it('lists global stores like Kafka Streams, numbered after the sub-topologies that generate tasks', () => {
    const serde = { serialize: () => null, deserialize: () => null } as never;
    const description = new Topology()
      .addSource('src', 'input')
      .addProcessor('p', noop, 'src')
      .addGlobalStore({ ...store, name: 'countries-store', loggingEnabled: false }, 'countries', {
        keySerde: serde,
        valueSerde: serde,
        processor: noop,
        sourceName: 'countries',
        processorName: 'countries-table-source',
      })
      .describe();
    expect(description.globalStores.map((g) => g.id)).toEqual([1]);
    expect(description.toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: src (topics: [input])',
        '      --> p',
        '    Processor: p (stores: [])',
        '      --> none',
        '      <-- src',
        '',
        '   Sub-topology: 1 for global store (will not generate tasks)',
        '    Source: countries (topics: [countries])',
        '      --> countries-table-source',
        '    Processor: countries-table-source (stores: [countries-store])',
        '      --> none',
        '      <-- countries',
        '',
        '',
      ].join('\n'),
    );
    const mermaid = description.toMermaid();
    expect(mermaid).toContain('subgraph sub1["Sub-topology: 1 for global store"]');
    expect(mermaid).toContain('n2["Source: countries"]');
    expect(mermaid).toContain('n2 --> n3');
    expect(mermaid).toContain('n3 --- s0');
  });
});
