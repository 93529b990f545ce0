/**
 * The graph node of an internal topic between two sub-topologies that is not a plain repartition (the
 * foreign-key join's subscription and response topics): sink `<base>-sink` (fed by any number of
 * parents) -> internal topic `<base>-topic` -> source `<base>-source`. The serdes are made when the
 * topology is written, from the build's defaults where needed.
 */
import { TopologyError } from '../../core/errors/streams-errors.ts';
import type { Serde } from '../../core/serde/serde.ts';
import type { StreamPartitioner } from '../../core/topology/physical-topology.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';

const TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

/** The key and value serdes of an internal topic. */
export interface TopicSerdes {
  readonly keySerde: Serde<any>;
  readonly valueSerde: Serde<any>;
}

/** Writes `<base>-sink`, the internal topic `<base>-topic` (unprefixed) and `<base>-source`. */
export class InternalTopicNode extends GraphNode {
  readonly topic: string;
  readonly sinkName: string;

  /** @throws TopologyError when `<base>-topic` is not a valid topic name */
  constructor(
    base: string,
    parents: readonly GraphNode[],
    readonly makeSerdes: (context: WriteContext) => TopicSerdes,
    readonly partitioner: StreamPartitioner<any, any> | undefined,
  ) {
    super(`${base}-source`, parents);
    this.topic = `${base}-topic`;
    this.sinkName = `${base}-sink`;
    if (!TOPIC_CHARS.test(this.topic) || this.topic.length > 200) {
      throw new TopologyError(`Internal topic "${this.topic}" is not a valid topic name (use [a-zA-Z0-9._-], at most 200 characters): give the join a name`);
    }
  }

  physicalNames(): readonly string[] {
    return [this.sinkName, this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    const { keySerde, valueSerde } = this.makeSerdes(context);
    topology.addInternalTopic(this.topic, { kind: 'repartition' });
    topology.addSink(
      this.sinkName,
      this.topic,
      { keySerde, valueSerde, internal: true, ...(this.partitioner ? { partitioner: this.partitioner } : {}) },
      ...this.parents.map((p) => p.name),
    );
    topology.addSource(this.name, this.topic, { keySerde, valueSerde, internal: true });
  }
}
