/**
 * The graph node of a stateless operator or a custom processor: one processor node, connected to the
 * stores it names.
 */
import type { ProcessorSupplier } from '../../core/processor/processor.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode } from './graph-node.ts';

/** Wraps a processor supplier; `stores` are connected to the processor. */
export class ProcessorGraphNode extends GraphNode {
  constructor(
    name: string,
    parents: readonly GraphNode[],
    readonly supplier: ProcessorSupplier<any, any, any, any>,
    readonly stores: readonly string[] = [],
  ) {
    super(name, parents);
  }

  physicalNames(): readonly string[] {
    return [this.name];
  }

  writeToTopology(topology: Topology): void {
    topology.addProcessor(this.name, this.supplier, ...this.parents.map((p) => p.name));
    if (this.stores.length > 0) topology.connectProcessorAndStateStores(this.name, ...this.stores);
  }
}
