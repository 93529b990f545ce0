/**
 * The graph node of a processor whose supplier needs the build's default serdes (the foreign-key
 * join's processors hash and compare serialized values): the supplier is made when the topology is
 * written. Owns `stores` and is connected to `connectedStores`, like {@link StatefulProcessorNode}.
 */
import type { ProcessorSupplier } from '../../core/processor/processor.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';
import type { StoreFactory } from './stateful-processor-node.ts';

/** A processor made at write time. */
export class DeferredProcessorNode extends GraphNode {
  constructor(
    name: string,
    parents: readonly GraphNode[],
    readonly makeSupplier: (context: WriteContext) => ProcessorSupplier<any, any, any, any>,
    readonly stores: readonly StoreFactory[] = [],
    readonly connectedStores: readonly string[] = [],
  ) {
    super(name, parents);
  }

  physicalNames(): readonly string[] {
    return [this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    topology.addProcessor(this.name, this.makeSupplier(context), ...this.parents.map((p) => p.name));
    for (const store of this.stores) topology.addStateStore(store.build(context), this.name);
    if (this.connectedStores.length > 0) topology.connectProcessorAndStateStores(this.name, ...this.connectedStores);
  }
}
