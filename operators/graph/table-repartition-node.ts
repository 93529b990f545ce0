/**
 * The repartition of `KTable.groupBy`: like {@link RepartitionNode}, but the records carry `Change`s,
 * so the value serde (given, or the build's default) is wrapped in a {@link ChangeSerde}.
 */
import type { Serde } from '../../core/serde/serde.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { ChangeSerde } from '../change-serde.ts';
import type { GraphNode, WriteContext } from './graph-node.ts';
import { RepartitionNode } from './repartition-node.ts';

/** Writes `<base>-repartition-sink`, the topic `<base>-repartition` and `<base>-repartition-source`. */
export class TableRepartitionNode extends RepartitionNode {
  constructor(base: string, parent: GraphNode, keySerde: Serde<unknown> | undefined, valueSerde: Serde<unknown> | undefined) {
    super(base, parent, keySerde, valueSerde === undefined ? undefined : new ChangeSerde(valueSerde), undefined, undefined);
  }

  override writeToTopology(topology: Topology, context: WriteContext): void {
    const fallback = context.defaultValueSerde;
    super.writeToTopology(topology, {
      defaultKeySerde: context.defaultKeySerde,
      defaultValueSerde: fallback === undefined ? undefined : new ChangeSerde(fallback),
    });
  }
}
