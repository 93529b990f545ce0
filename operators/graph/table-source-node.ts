/**
 * The graph node of `StreamsBuilder.table`: the topic's source node and the `KTableSource` processor
 * that materializes it (`<source name>-table-source` unless named), with the table's store.
 */
import type { ProcessorSupplier } from '../../core/processor/processor.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';
import type { StoreFactory } from './stateful-processor-node.ts';
import type { StreamSourceNode } from './stream-source-node.ts';

/** Writes the source, the table source processor and its store. */
export class TableSourceNode extends GraphNode {
  constructor(
    name: string,
    readonly source: StreamSourceNode,
    readonly supplier: ProcessorSupplier<any, any, any, any>,
    readonly store: StoreFactory,
  ) {
    super(name, [source]);
  }

  physicalNames(): readonly string[] {
    return [this.source.name, this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    this.source.writeToTopology(topology, context);
    topology.addProcessor(this.name, this.supplier, this.source.name);
    topology.addStateStore(this.store.build(context), this.name);
  }
}
