/**
 * The logical graph the DSL builds before it writes the physical topology. Each DSL call adds one
 * graph node; `StreamsBuilder.build()` asks every node, in creation order, to write itself into a
 * `Topology` (`writeToTopology`).
 */
import type { Serde } from '../../core/serde/serde.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { childNodeName } from './node-naming.ts';

/** What every node's `writeToTopology` gets: the serdes that fill in for missing ones. */
export interface WriteContext {
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
}

/** A node of the logical graph. */
export abstract class GraphNode {
  /** The physical node that children connect to (for a repartition: its source node). */
  readonly name: string;
  readonly parents: readonly GraphNode[];
  private readonly childCounters = new Map<string, number>();

  constructor(name: string, parents: readonly GraphNode[]) {
    this.name = name;
    this.parents = parents;
  }

  /**
   * The stable generated name of this node's next child of operator `op`: `<name>.<op>-<i>`, where `i`
   * counts only this node's children of that operator (see `node-naming.ts`).
   */
  nextChildName(op: string): string {
    const index = this.childCounters.get(op) ?? 0;
    this.childCounters.set(op, index + 1);
    return childNodeName(this.name, op, index);
  }

  /** The physical node names this node creates (to check uniqueness when it is added). */
  abstract physicalNames(): readonly string[];

  /** Adds this node's physical nodes (and stores, internal topics) to the topology. */
  abstract writeToTopology(topology: Topology, context: WriteContext): void;
}
