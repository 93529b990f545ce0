/**
 * What a table-table join (by primary key or by foreign key) needs from each input table: a node to
 * hang its processor off and a key-value store holding the table's current rows, for the other side to
 * look values up in (Kafka Streams' value getters). A table that is not materialized in a key-value
 * store (a filter or mapValues without a store name, a suppressed or windowed table) is materialized
 * for the join: an identity node `<join>-<side>-materialize` with the store
 * `<join>-<side>-materialize-store` (no cache, so updates reach the join at once; changelogged).
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { GraphNode } from './graph/graph-node.ts';
import { StatefulProcessorNode } from './graph/stateful-processor-node.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';
import { kTableMapValues } from './k-table-map-values.ts';
import type { Materialized } from './materialized.ts';
import { timestampedKeyValueStoreFactory } from './store-factories.ts';

/** The parts of a `KTable` a join reads (structural, so this module needs no `KTable` import). */
export interface JoinableTable<K, V> {
  readonly node: GraphNode;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly queryableStoreName: string | null;
  readonly windowing: unknown;
}

/** One input of a join: the node its join processor hangs off, and the store of its current rows. */
export interface JoinSide {
  readonly node: GraphNode;
  readonly storeName: string;
}

/** What a join hands back to `KTable` to make the result table. */
export interface JoinResult<K, VR> {
  readonly node: GraphNode;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<VR> | undefined;
  readonly storeName: string | null;
}

/** Whether options ask for a materialized result. */
export function wantsStore(options: Materialized<unknown, unknown>): boolean {
  return options.storeName !== undefined || options.kind !== undefined || options.retention !== undefined;
}

/**
 * Checks that `other` is a table of the same builder.
 *
 * @throws TopologyError naming both inputs
 */
export function requireJoinable(builder: InternalStreamsBuilder, op: string, table: JoinableTable<unknown, unknown>, other: unknown): void {
  const node = (other as Partial<JoinableTable<unknown, unknown>> | null)?.node;
  if (node === undefined || !('queryableStoreName' in (other as object))) {
    throw new TopologyError(`${op}: "${table.node.name}" can only be joined with a KTable here, got ${other === null ? 'null' : typeof other}`);
  }
  if (!builder.owns(node)) {
    throw new TopologyError(`${op}: tables "${table.node.name}" and "${node.name}" come from different StreamsBuilders; both inputs of a join must be built by one`);
  }
}

/**
 * The join input for `table`: the table itself when it is materialized in a key-value store, else a
 * materializing node added to `builder`.
 */
export function joinSide<K, V>(builder: InternalStreamsBuilder, table: JoinableTable<K, V>, joinName: string, side: 'left' | 'right'): JoinSide {
  if (table.queryableStoreName !== null && (table.windowing === null || table.windowing === undefined)) {
    return { node: table.node, storeName: table.queryableStoreName };
  }
  const name = `${joinName}-${side}-materialize`;
  const storeName = `${name}-store`;
  const factory = timestampedKeyValueStoreFactory<K, V>(storeName, { caching: false }, table.keySerde, table.valueSerde);
  const node = new StatefulProcessorNode(name, [table.node], kTableMapValues<K, V, V>(identity, storeName), [factory]);
  builder.addNode(node);
  return { node, storeName };
}

function identity<V>(value: V): V {
  return value;
}
