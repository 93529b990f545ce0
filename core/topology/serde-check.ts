/**
 * The build-time serde check: every source, sink and repartition needs a key and a value serde, its
 * own or a configured default.
 */
import { TopologyError } from '../errors/streams-errors.ts';
import type { Serde } from '../serde/serde.ts';
import type { PhysicalTopology } from './physical-topology.ts';

/** The default serdes a runtime (or `StreamsBuilder.build`) is configured with. */
export interface DefaultSerdes {
  defaultKeySerde?: Serde<any> | undefined;
  defaultValueSerde?: Serde<any> | undefined;
}

/**
 * Checks that every source and sink has a key and a value serde or that a default covers it.
 * `StreamsBuilder.build(config)` calls it; so do the runtime and the test driver at start.
 *
 * @throws TopologyError naming the node and its topic(s), e.g.
 *   `Sink "orders.map-0.to-0" (topic: out) has no value serde and no default value serde is configured`.
 * @example
 * checkSerdes(topology, { defaultKeySerde: new StringSerde() });
 */
export function checkSerdes(topology: PhysicalTopology, defaults: DefaultSerdes = {}): void {
  for (const sub of topology.subtopologies) {
    for (const node of sub.nodes.values()) {
      if (node.kind === 'processor') continue;
      const where =
        node.kind === 'source'
          ? `Source "${node.name}" (${node.topics instanceof RegExp ? `pattern: ${node.topics.source}` : `topics: [${node.topics.join(', ')}]`})`
          : `Sink "${node.name}" (topic: ${typeof node.topic === 'string' ? node.topic : 'chosen by an extractor'})`;
      const what = node.internal ? ' of a repartition' : '';
      if (node.keySerde === undefined && defaults.defaultKeySerde === undefined) {
        throw new TopologyError(`${where}${what} has no key serde and no default key serde is configured`);
      }
      if (node.valueSerde === undefined && defaults.defaultValueSerde === undefined) {
        throw new TopologyError(`${where}${what} has no value serde and no default value serde is configured`);
      }
    }
  }
}
