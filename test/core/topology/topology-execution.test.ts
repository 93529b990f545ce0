import { describe, expect, it } from 'vitest';
import { Topology } from '../../../core/topology/topology.ts';
import { TopologyTestDriver } from '../../../core/runtime/topology-test-driver.ts';
import { StringSerde } from '../../../core/serde/string-serde.ts';
import type { Processor } from '../../../core/processor/processor.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import type { Record } from '../../../core/processor/record.ts';

const str = new StringSerde();

/** Upper-cases values and sends keys starting with "x" to the child named "special". */
class Router implements Processor<string, string, string, string> {
  private ctx!: ProcessorContext<string, string>;
  init(ctx: ProcessorContext<string, string>): void {
    this.ctx = ctx;
  }
  process(record: Record<string, string>): void {
    const out = record.withValue(record.value.toUpperCase());
    if (record.key.startsWith('x')) this.ctx.forward(out, 'special');
    else this.ctx.forward(out);
  }
}

describe('core/topology/topology (executed by the TopologyTestDriver)', () => {
  it('runs a hand-written Processor API topology with forward to all children or one by name', () => {
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor('route', () => new Router(), 'in')
      .addSink('special', 'special-out', { keySerde: str, valueSerde: str }, 'route')
      .addSink('all', 'all-out', { keySerde: str, valueSerde: str }, 'route');
    const driver = new TopologyTestDriver(topology.build());
    const input = driver.createInputTopic('input', str, str);
    input.pipeInput('a', 'one', 1);
    input.pipeInput('xb', 'two', 2);
    expect(driver.createOutputTopic('all-out', str, str).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'ONE' },
    ]);
    expect(driver.createOutputTopic('special-out', str, str).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'ONE' },
      { key: 'xb', value: 'TWO' },
    ]);
    driver.close();
  });

  it('feeds a repartition topic written in one sub-topology to the source of the next, prefixed by the application id', () => {
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addSink('to-rep', 'r-repartition', { keySerde: str, valueSerde: str, internal: true }, 'in')
      .addSource('from-rep', 'r-repartition', { keySerde: str, valueSerde: str, internal: true })
      .addSink('out', 'output', { keySerde: str, valueSerde: str }, 'from-rep');
    const driver = new TopologyTestDriver(topology.build(), { applicationId: 'app' });
    driver.createInputTopic('input', str, str).pipeInput('k', 'v', 3);
    expect(driver.producedTopicNames().sort()).toEqual(['app-r-repartition', 'output']);
    const r = driver.createOutputTopic('output', str, str).readRecord();
    expect([r.key, r.value, r.timestamp]).toEqual(['k', 'v', 3]);
    driver.close();
  });
});
