/**
 * The graph node of `KStream.to`: one sink node in the topology.
 */
import type { Serde } from '../../core/serde/serde.ts';
import type { StreamPartitioner, TopicNameExtractor } from '../../core/topology/physical-topology.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';

/** Writes to a topic (or the one an extractor picks) with the given, inherited or default serdes. */
export class StreamSinkNode extends GraphNode {
  constructor(
    name: string,
    parent: GraphNode,
    readonly topic: string | TopicNameExtractor<any, any>,
    readonly keySerde: Serde<unknown> | undefined,
    readonly valueSerde: Serde<unknown> | undefined,
    readonly partitioner: StreamPartitioner<any, any> | undefined,
  ) {
    super(name, [parent]);
  }

  physicalNames(): readonly string[] {
    return [this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    const keySerde = this.keySerde ?? context.defaultKeySerde;
    const valueSerde = this.valueSerde ?? context.defaultValueSerde;
    topology.addSink(
      this.name,
      this.topic,
      {
        ...(keySerde ? { keySerde } : {}),
        ...(valueSerde ? { valueSerde } : {}),
        ...(this.partitioner ? { partitioner: this.partitioner } : {}),
      },
      this.parents[0]!.name,
    );
  }
}
