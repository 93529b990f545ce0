/**
 * The graph node of `StreamsBuilder.globalTable`: writes a global store (`Topology.addGlobalStore`)
 * whose update processor is a `KTableSource` over the table's timestamped store. It is in no
 * sub-topology: the runtime runs it on every instance in the global stream thread.
 */
import type { ProcessorSupplier } from '../../core/processor/processor.ts';
import type { Serde } from '../../core/serde/serde.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { GlobalTableStoreBuilder } from '../global-table-store-builder.ts';
import { resolveSerde } from '../store-factories.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';
import type { StoreFactory } from './stateful-processor-node.ts';

/** Writes the global store: source `sourceName` on `topic`, update processor `name`, store `store`. */
export class GlobalTableSourceNode extends GraphNode {
  constructor(
    name: string,
    readonly sourceName: string,
    readonly topic: string,
    readonly keySerde: Serde<unknown> | undefined,
    readonly valueSerde: Serde<unknown> | undefined,
    readonly supplier: ProcessorSupplier<any, any, any, any>,
    readonly store: StoreFactory,
  ) {
    super(name, []);
  }

  physicalNames(): readonly string[] {
    return [this.sourceName, this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    topology.addGlobalStore(new GlobalTableStoreBuilder(this.store.build(context)), this.topic, {
      keySerde: resolveSerde(this.store.name, 'key', undefined, this.keySerde, context),
      valueSerde: resolveSerde(this.store.name, 'value', undefined, this.valueSerde, context),
      processor: this.supplier,
      sourceName: this.sourceName,
      processorName: this.name,
    });
  }
}
