import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import type { KStream } from '../../operators/k-stream.ts';
import { StringSerde } from '../../core/serde/string-serde.ts';
import { Int32Serde } from '../../core/serde/int32-serde.ts';
import { TopologyError } from '../../core/errors/streams-errors.ts';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';

const str = new StringSerde();
const int = new Int32Serde();

function allNames(p: PhysicalTopology): string[] {
  return p.subtopologies.flatMap((s) => [...s.nodes.keys()]);
}

/** orders -> filter -> selectKey -> repartition -> to ; orders -> mapValues -> to. `extra` adds operators elsewhere. */
function app(
  before: (orders: KStream<string, string>, b: StreamsBuilder) => void,
  after: (orders: KStream<string, string>, b: StreamsBuilder) => void = () => {},
): PhysicalTopology {
  const b = new StreamsBuilder();
  const orders = b.stream<string, string>('orders', { keySerde: str, valueSerde: str });
  before(orders, b);
  orders
    .filter((_k, v) => v.length > 0)
    .selectKey((_k, v) => v)
    .repartition()
    .to('by-value');
  after(orders, b);
  orders.mapValues((v) => v.length).to('lengths', { valueSerde: int });
  return b.build();
}

describe('operators/streams-builder', () => {
  it('generates stable names: operators added on another branch or another stream rename nothing', () => {
    const base = app(() => {});
    const extended = app(
      (orders, b) => {
        orders.peek(() => {}).mapValues((v) => v).to('audit'); // another branch of the same source, created first
        orders.filterNot(() => true).to('nothing');
        b.stream<string, string>('other').map((k, v) => [v, k] as const).repartition().to('x'); // another stream
      },
      (orders) => {
        orders.filter(() => false).selectKey((k) => k).repartition().to('later'); // same operators, added later
      },
    );
    expect(allNames(base)).toEqual([
      'orders',
      'orders.filter-0',
      'orders.filter-0.selectKey-0',
      'orders.filter-0.selectKey-0.repartition-0-repartition-sink',
      'orders.mapValues-0',
      'orders.mapValues-0.to-0',
      'orders.filter-0.selectKey-0.repartition-0-repartition-source',
      'orders.filter-0.selectKey-0.repartition-0-repartition-source.to-0',
    ]);
    const extendedNames = new Set(allNames(extended));
    for (const name of allNames(base)) expect(extendedNames.has(name), name).toBe(true);
    expect([...base.internalTopics.keys()]).toEqual(['orders.filter-0.selectKey-0.repartition-0-repartition']);
    expect([...extended.internalTopics.keys()]).toContain('orders.filter-0.selectKey-0.repartition-0-repartition');
    // Kafka's global counter would have shifted: the extended topology is strictly larger
    expect(extendedNames.size).toBeGreaterThan(allNames(base).length);
  });

  it('uses explicit names for nodes and their children, and refuses duplicates', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', { name: 'src', keySerde: str, valueSerde: str });
    s.mapValues((v) => v, { name: 'clean' }).filter(() => true).to('out', { name: 'write-out', valueSerde: str });
    expect(allNames(b.build())).toEqual(['src', 'clean', 'clean.filter-0', 'write-out']);
    expect(() => s.filter(() => true, { name: 'clean' })).toThrow(TopologyError);
    expect(() => b.stream('x', { name: 'src' })).toThrow(/node named "src" already exists/);
    expect(() => b.stream('in', { name: 'again' })).toThrow('Topic "in" is already read by source "src"');
  });

  it('names sources after their topics or pattern', () => {
    const b = new StreamsBuilder();
    b.stream(['a', 'b']).to('o1');
    b.stream(/logs-.*/).to('o2');
    expect(allNames(b.build())).toEqual(['a_b', 'a_b.to-0', 'pattern-logs-._', 'pattern-logs-._.to-0']);
  });

  it('describe() prints the DSL topology like Kafka Streams', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .repartition({ name: 'rk' })
      .to('out');
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: in (topics: [in])',
        '      --> in.selectKey-0',
        '    Processor: in.selectKey-0 (stores: [])',
        '      --> rk-repartition-sink',
        '      <-- in',
        '    Sink: rk-repartition-sink (topic: rk-repartition)',
        '      <-- in.selectKey-0',
        '',
        '   Sub-topology: 1',
        '    Source: rk-repartition-source (topics: [rk-repartition])',
        '      --> rk-repartition-source.to-0',
        '    Sink: rk-repartition-source.to-0 (topic: out)',
        '      <-- rk-repartition-source',
        '',
        '',
      ].join('\n'),
    );
    const mermaid = b.build().describe().toMermaid();
    expect(mermaid).toContain('subgraph sub1["Sub-topology: 1"]');
    expect(mermaid).toContain('[/"rk-repartition"/]');
  });

  it('build(config) fails naming the node and topic when a serde is missing and no default is configured', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str })
      .mapValues((v) => v.length)
      .to('lengths');
    expect(() => b.build({})).toThrow(
      'Sink "in.mapValues-0.to-0" (topic: lengths) has no value serde and no default value serde is configured',
    );
    expect(() => b.build({ defaultValueSerde: int })).not.toThrow();
    const filled = b.build({ defaultValueSerde: int });
    const sink = filled.subtopologies[0]!.nodes.get('in.mapValues-0.to-0')!;
    expect(sink.kind === 'sink' && sink.valueSerde).toBe(int);
    expect(() => b.build()).not.toThrow(); // without config the runtime checks against its defaults

    const c = new StreamsBuilder();
    c.stream<string, string>('raw').to('copy', { keySerde: str, valueSerde: str });
    expect(() => c.build({ defaultValueSerde: str })).toThrow(
      'Source "raw" (topics: [raw]) has no key serde and no default key serde is configured',
    );
    const d = new StreamsBuilder();
    d.stream<string, string>('in', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v.length).repartition({ name: 'n' });
    expect(() => d.build({})).toThrow('Sink "n-repartition-sink" (topic: n-repartition) of a repartition has no key serde');
  });

  it('validates stream() topics', () => {
    const b = new StreamsBuilder();
    expect(() => b.stream('')).toThrow(TopologyError);
    expect(() => b.stream([])).toThrow(TopologyError);
    expect(() => b.stream([''])).toThrow(TopologyError);
  });

  it('buildTopology() returns a Processor API topology that can be extended by hand', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str }).filter(() => true, { name: 'f' });
    const t = b.buildTopology();
    t.addSink('manual', 'manual-out', { keySerde: str, valueSerde: str }, 'f');
    expect(allNames(t.build())).toEqual(['in', 'f', 'manual']);
  });
});

describe('operators/streams-builder sources', () => {
  it('passes Consumed options to the source node', () => {
    const b = new StreamsBuilder();
    const extractor = () => 42;
    b.stream<string, string>('in', { keySerde: str, valueSerde: str, offsetReset: 'earliest', timestampExtractor: extractor }).to('o');
    const source = b.build().subtopologies[0]!.sources[0]!;
    expect(source).toMatchObject({ name: 'in', topics: ['in'], internal: false, keySerde: str, valueSerde: str, offsetReset: 'earliest' });
    expect(source.timestampExtractor).toBe(extractor);
  });

  it('reads every topic of a list, and topics matching a pattern, through the driver', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>(['a', 'b'], { keySerde: str, valueSerde: str }).to('ab');
    b.stream<string, string>(/^logs-.*/, { keySerde: str, valueSerde: str }).mapValues((v) => `log:${v}`).to('logs', { valueSerde: str });
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('a', str, str).pipeInput('k', '1');
    driver.createInputTopic('b', str, str).pipeInput('k', '2');
    driver.createInputTopic('logs-web', str, str).pipeInput('k', 'x');
    driver.createInputTopic('logs-db', str, str).pipeInput('k', 'y');
    expect(driver.createOutputTopic('ab', str, str).readValuesToList()).toEqual(['1', '2']);
    expect(driver.createOutputTopic('logs', str, str).readValuesToList()).toEqual(['log:x', 'log:y']);
    driver.close();
  });
});
