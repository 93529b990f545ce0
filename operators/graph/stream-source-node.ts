/**
 * The graph node of `StreamsBuilder.stream`: one source node in the topology.
 */
import type { Serde } from '../../core/serde/serde.ts';
import type { OffsetReset, TimestampExtractor } from '../../core/topology/physical-topology.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';

/** Reads topics (or a pattern) and deserializes with the given serdes or the defaults. */
export class StreamSourceNode extends GraphNode {
  constructor(
    name: string,
    readonly topics: string | readonly string[] | RegExp,
    readonly keySerde: Serde<unknown> | undefined,
    readonly valueSerde: Serde<unknown> | undefined,
    readonly timestampExtractor: TimestampExtractor | undefined,
    readonly offsetReset: OffsetReset | undefined,
  ) {
    super(name, []);
  }

  physicalNames(): readonly string[] {
    return [this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    const keySerde = this.keySerde ?? context.defaultKeySerde;
    const valueSerde = this.valueSerde ?? context.defaultValueSerde;
    topology.addSource(this.name, this.topics, {
      ...(keySerde ? { keySerde } : {}),
      ...(valueSerde ? { valueSerde } : {}),
      ...(this.timestampExtractor ? { timestampExtractor: this.timestampExtractor } : {}),
      ...(this.offsetReset ? { offsetReset: this.offsetReset } : {}),
    });
  }
}
