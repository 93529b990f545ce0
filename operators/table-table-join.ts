/**
 * The graph of `KTable.join` / `leftJoin` / `outerJoin` (by primary key): a join processor on each side,
 * `<name>-left` (child of the left table, reads the right table's store) and `<name>-right` (child of
 * the right table, reads the left table's store), both feeding the result node `<name>`
 * ({@link KTableKTableJoinMerger}), materialized in `<storeName | name-store>` when the options ask for a
 * store. The inputs are co-partitioned by construction (tables are partitioned by their key); the
 * runtime checks at start that their topics have the same partition count.
 *
 * | variant | left update, no right row | right update, no left row | a side's row deleted |
 * |---|---|---|---|
 * | join | nothing | nothing | tombstone if the key had a result |
 * | leftJoin | `joiner(left, null)` | nothing | left: tombstone; right: `joiner(left, null)` |
 * | outerJoin | `joiner(left, null)` | `joiner(null, right)` | the other side's one-sided result, or a tombstone when both are gone |
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { GraphNode } from './graph/graph-node.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import { StatefulProcessorNode } from './graph/stateful-processor-node.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';
import { kTableKTableJoin } from './k-table-k-table-join.ts';
import { kTableKTableJoinMerger } from './k-table-k-table-join-merger.ts';
import { kTableKTableLeftJoin } from './k-table-k-table-left-join.ts';
import { kTableKTableOuterJoin } from './k-table-k-table-outer-join.ts';
import { kTableKTableRightJoin } from './k-table-k-table-right-join.ts';
import type { Materialized, NamedOperation } from './materialized.ts';
import { timestampedKeyValueStoreFactory } from './store-factories.ts';
import { joinSide, requireJoinable, wantsStore, type JoinableTable, type JoinResult } from './table-join-side.ts';

/**
 * Options of a table-table join: the name of its result node (prefix of its other nodes and stores),
 * and `Materialized` options of the result (a store name, `kind`, serdes, caching, logging). The result
 * is materialized only when they name a store or a kind.
 */
export type TableJoinOptions<K, VR> = NamedOperation & Materialized<K, VR>;

/** Which table-table join. */
export type TableJoinKind = 'join' | 'leftJoin' | 'outerJoin';

/**
 * Adds a table-table join to the graph and returns its result node.
 *
 * @throws TopologyError when `right` is not a table of the same builder (naming both), or the joiner is
 *   not a function
 */
export function tableTableJoin<K, V, VO, VR>(
  builder: InternalStreamsBuilder,
  kind: TableJoinKind,
  left: JoinableTable<K, V>,
  right: JoinableTable<K, VO>,
  joiner: (value: any, other: any) => VR,
  options: TableJoinOptions<K, VR>,
): JoinResult<K, VR> {
  requireJoinable(builder, kind, left, right);
  requireJoiner(kind, joiner);
  const name = options.name ?? left.node.nextChildName(kind);
  const l = joinSide(builder, left, name, 'left');
  const r = joinSide(builder, right, name, 'right');
  const swapped = (other: any, value: any): VR => joiner(value, other);
  let leftSupplier;
  let rightSupplier;
  if (kind === 'join') {
    leftSupplier = kTableKTableJoin<K, V, VO, VR>(r.storeName, joiner);
    rightSupplier = kTableKTableJoin<K, VO, V, VR>(l.storeName, swapped);
  } else if (kind === 'leftJoin') {
    leftSupplier = kTableKTableLeftJoin<K, V, VO, VR>(r.storeName, joiner);
    rightSupplier = kTableKTableRightJoin<K, V, VO, VR>(l.storeName, joiner);
  } else {
    leftSupplier = kTableKTableOuterJoin<K, V, VO, VR>(r.storeName, joiner);
    rightSupplier = kTableKTableOuterJoin<K, VO, V, VR>(l.storeName, swapped);
  }
  const leftNode = new ProcessorGraphNode(`${name}-left`, [l.node], leftSupplier, [r.storeName]);
  const rightNode = new ProcessorGraphNode(`${name}-right`, [r.node], rightSupplier, [l.storeName]);
  builder.addNode(leftNode);
  builder.addNode(rightNode);
  return joinResultNode(builder, name, [leftNode, rightNode], left.keySerde, options);
}

/** The result node `name` of a join (primary-key or foreign-key), materialized when the options ask. */
export function joinResultNode<K, VR>(
  builder: InternalStreamsBuilder,
  name: string,
  parents: readonly GraphNode[],
  keySerde: JoinableTable<K, unknown>['keySerde'],
  options: TableJoinOptions<K, VR>,
): JoinResult<K, VR> {
  const resultKeySerde = options.keySerde ?? keySerde;
  if (!wantsStore(options)) {
    const node = new ProcessorGraphNode(name, parents, kTableKTableJoinMerger<K, VR>(null));
    builder.addNode(node);
    return { node, keySerde: resultKeySerde, valueSerde: options.valueSerde, storeName: null };
  }
  const storeName = options.storeName ?? `${name}-store`;
  const factory = timestampedKeyValueStoreFactory<K, VR>(storeName, options, keySerde, options.valueSerde);
  const node = new StatefulProcessorNode(name, parents, kTableKTableJoinMerger<K, VR>(storeName), [factory]);
  builder.addNode(node);
  return { node, keySerde: resultKeySerde, valueSerde: options.valueSerde, storeName };
}

function requireJoiner(op: string, fn: unknown): void {
  if (typeof fn !== 'function') {
    throw new TopologyError(`${op}: expected a joiner function, got ${fn === null ? 'null' : typeof fn}`);
  }
}
