/**
 * The graph node of a stateful DSL operator (aggregations, materialized table operations, suppress):
 * one processor node plus the stores it owns. The stores' builders are made when the topology is
 * written, so serdes the operation does not know fall back to the build's default serdes.
 */
import type { ProcessorSupplier } from '../../core/processor/processor.ts';
import type { StoreBuilder } from '../../core/processor/state-store.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';

/** Makes the builder of a store an operator owns, once the default serdes are known. */
export interface StoreFactory {
  readonly name: string;
  build(context: WriteContext): StoreBuilder;
}

/** A processor with the stores it owns (`stores`) and others it reads (`connectedStores`). */
export class StatefulProcessorNode extends GraphNode {
  constructor(
    name: string,
    parents: readonly GraphNode[],
    readonly supplier: ProcessorSupplier<any, any, any, any>,
    readonly stores: readonly StoreFactory[],
    readonly connectedStores: readonly string[] = [],
  ) {
    super(name, parents);
  }

  physicalNames(): readonly string[] {
    return [this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    topology.addProcessor(this.name, this.supplier, ...this.parents.map((p) => p.name));
    for (const store of this.stores) topology.addStateStore(store.build(context), this.name);
    if (this.connectedStores.length > 0) topology.connectProcessorAndStateStores(this.name, ...this.connectedStores);
  }
}
