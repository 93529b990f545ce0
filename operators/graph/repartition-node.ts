/**
 * The graph node of a repartition (explicit `KStream.repartition`, or the automatic one before a
 * stateful operation after a key change): sink -> internal topic `<base>-repartition` -> source. It
 * splits the topology into two sub-topologies.
 */
import type { Serde } from '../../core/serde/serde.ts';
import type { StreamPartitioner } from '../../core/topology/physical-topology.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';
import { repartitionTopicName } from './node-naming.ts';

/** Writes `<base>-repartition-sink`, the internal topic `<base>-repartition` and `<base>-repartition-source`. */
export class RepartitionNode extends GraphNode {
  /** Unprefixed internal topic name; the runtime creates `<applicationId>-<topic>`. */
  readonly topic: string;
  readonly sinkName: string;

  constructor(
    readonly base: string,
    parent: GraphNode,
    readonly keySerde: Serde<unknown> | undefined,
    readonly valueSerde: Serde<unknown> | undefined,
    readonly partitioner: StreamPartitioner<any, any> | undefined,
    readonly numberOfPartitions: number | undefined,
  ) {
    const topic = repartitionTopicName(base);
    super(`${topic}-source`, [parent]);
    this.topic = topic;
    this.sinkName = `${topic}-sink`;
  }

  physicalNames(): readonly string[] {
    return [this.sinkName, this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    const keySerde = this.keySerde ?? context.defaultKeySerde;
    const valueSerde = this.valueSerde ?? context.defaultValueSerde;
    const serdes = { ...(keySerde ? { keySerde } : {}), ...(valueSerde ? { valueSerde } : {}) };
    topology.addInternalTopic(this.topic, {
      kind: 'repartition',
      ...(this.numberOfPartitions === undefined ? {} : { numPartitions: this.numberOfPartitions }),
    });
    topology.addSink(
      this.sinkName,
      this.topic,
      { ...serdes, internal: true, ...(this.partitioner ? { partitioner: this.partitioner } : {}) },
      this.parents[0]!.name,
    );
    topology.addSource(this.name, this.topic, { ...serdes, internal: true });
  }
}
