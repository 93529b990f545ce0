import { describe, expect, it } from 'vitest';
import * as tributary from '../index.ts';

describe('package entry', () => {
  it('exports the public API from the layer barrels', () => {
    for (const name of [
      'EmbeddedLog', 'StreamsBuilder', 'KStream', 'TributaryStreams', 'TopologyTestDriver', 'Topology', 'Serdes',
      'Record', 'Headers', 'TributaryError', 'LogCorruptedError', 'TopologyError', 'SerdeError', 'ManualClock',
      'StickyAssignor', 'partitionForKey', 'fromObservable', 'EmbeddedSchemaRegistry', 'registerCompressionCodec', 'KafkaBroker', 'KafkajsLogClient',
    ]) {
      expect(tributary, name).toHaveProperty(name);
    }
  });

  it('runs a topology through the driver using only the package entry', () => {
    const { StreamsBuilder, TopologyTestDriver, Serdes } = tributary;
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('in', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .mapValues((v) => v.length)
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.int32() });
    const driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'hello', 5);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.int32()).readKeyValue()).toEqual({ key: 'k', value: 5 });
    driver.close();
  });
});
