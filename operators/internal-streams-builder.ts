/**
 * The logical graph behind a `StreamsBuilder`: graph nodes in creation order, their unique names, and
 * the state stores added with `addStateStore`. `buildTopology` writes it into a physical `Topology`.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { StoreBuilder } from '../core/processor/state-store.ts';
import { Topology } from '../core/topology/topology.ts';
import type { GraphNode, WriteContext } from './graph/graph-node.ts';

/** Holds the graph; shared by every stream of one builder. */
export class InternalStreamsBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly names = new Set<string>();
  private readonly stores = new Map<string, StoreBuilder>();
  private readonly sourceTopics = new Map<string, string>();

  /**
   * Records that the source `name` reads `topics` (Kafka Streams refuses a topic read by two sources).
   *
   * @throws TopologyError naming the topic and the source that already reads it.
   */
  claimTopics(name: string, topics: string | readonly string[] | RegExp): void {
    if (topics instanceof RegExp) return;
    const list = typeof topics === 'string' ? [topics] : topics;
    for (const t of list) {
      const other = this.sourceTopics.get(t);
      if (other !== undefined) throw new TopologyError(`Topic "${t}" is already read by source "${other}" (source "${name}")`);
    }
    for (const t of list) this.sourceTopics.set(t, name);
  }

  /**
   * Adds a graph node after checking that its physical names are unused.
   *
   * @throws TopologyError naming the duplicate.
   */
  addNode(node: GraphNode): void {
    const names = node.physicalNames();
    for (const name of names) {
      if (this.names.has(name)) throw new TopologyError(`A node named "${name}" already exists in this topology: choose another name`);
    }
    for (const name of names) this.names.add(name);
    this.nodes.push(node);
  }

  /** Whether a node of this builder is the given one (streams of different builders cannot be combined). */
  owns(node: GraphNode): boolean {
    return this.nodes.includes(node);
  }

  /**
   * Adds a store for processors to connect to by name.
   *
   * @throws TopologyError when a store of that name already exists.
   */
  addStateStore(builder: StoreBuilder): void {
    if (this.stores.has(builder.name)) throw new TopologyError(`Store "${builder.name}" is already added to this builder`);
    this.stores.set(builder.name, builder);
  }

  /** Writes every graph node (in creation order, parents first) and every store into a new topology. */
  buildTopology(context: WriteContext): Topology {
    const topology = new Topology();
    for (const store of this.stores.values()) topology.addStateStore(store);
    for (const node of this.nodes) node.writeToTopology(topology, context);
    return topology;
  }
}
