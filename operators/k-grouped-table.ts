/**
 * KGroupedTable: a table re-grouped by `KTable.groupBy`, ready to aggregate. Every aggregation keeps
 * its result up to date as rows change: the subtractor removes a row's old value from its old group,
 * the adder adds its new value to its new group. The records reach the aggregation through the
 * repartition topic `<name>-repartition`.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import { Serdes } from '../core/serde/serdes.ts';
import type { GraphNode } from './graph/graph-node.ts';
import { StatefulProcessorNode } from './graph/stateful-processor-node.ts';
import { TableRepartitionNode } from './graph/table-repartition-node.ts';
import type { Grouped } from './grouped.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import type { Reducer } from './k-stream-reduce.ts';
import { kTableAggregate } from './k-table-aggregate.ts';
import { kTableReduce } from './k-table-reduce.ts';
import type { KTable } from './k-table.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { Materialized, NamedOperation } from './materialized.ts';
import { timestampedKeyValueStoreFactory } from './store-factories.ts';

/** Options of a grouped-table aggregation: the processor's name and the result's store. */
export type GroupedTableAggregateOptions<K, VA> = NamedOperation & Materialized<K, VA>;

/**
 * A re-grouped table.
 *
 * @example
 * const perRegion = users.groupBy((_id, u) => [u.region, u.id], grouped).count({ storeName: 'users-per-region' });
 */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly node: GraphNode,
    private readonly grouped: Grouped<K, V>,
    /** Makes the result table (a callback, so this module does not import KTable at runtime). */
    private readonly makeTable: <VA>(node: GraphNode, keySerde: Serde<K> | undefined, valueSerde: Serde<VA> | undefined, store: string) => KTable<K, VA>,
  ) {}

  /**
   * The number of rows per group (a row moving between groups is subtracted from the old one).
   *
   * @example
   * users.groupBy((_id, u) => [u.region, u]).count();
   */
  count(options: GroupedTableAggregateOptions<K, number> = {}): KTable<K, number> {
    return this.build<number>(
      'count',
      options,
      options.valueSerde ?? Serdes.int64(),
      (store) => kTableAggregate<K, V, number>(store, () => 0, (_k, _v, n) => n + 1, (_k, _v, n) => n - 1),
    );
  }

  /**
   * A value per group combined with `adder` and un-combined with `subtractor`; the first value of a
   * group is taken as it is, and a group whose value becomes null is deleted.
   *
   * @example
   * balances.groupBy((_acct, b) => [b.branch, b.amount]).reduce((a, b) => a + b, (a, b) => a - b);
   */
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, options: GroupedTableAggregateOptions<K, V> = {}): KTable<K, V> {
    requireFunction('reduce', adder);
    requireFunction('reduce', subtractor);
    return this.build<V>('reduce', options, options.valueSerde ?? this.grouped.valueSerde, (store) => kTableReduce<K, V>(store, adder, subtractor));
  }

  /**
   * An aggregate per group, starting from `initializer()`, maintained with `adder` and `subtractor`.
   *
   * @example
   * users.groupBy((_id, u) => [u.region, u.age]).aggregate(() => 0, (_r, age, sum) => sum + age, (_r, age, sum) => sum - age, { valueSerde: Serdes.int64() });
   */
  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    options: GroupedTableAggregateOptions<K, VA> = {},
  ): KTable<K, VA> {
    requireFunction('aggregate', initializer);
    requireFunction('aggregate', adder);
    requireFunction('aggregate', subtractor);
    return this.build<VA>('aggregate', options, options.valueSerde, (store) => kTableAggregate<K, V, VA>(store, initializer, adder, subtractor));
  }

  private build<VA>(
    op: string,
    options: GroupedTableAggregateOptions<K, VA>,
    valueSerde: Serde<VA> | undefined,
    supplier: (store: string) => () => unknown,
  ): KTable<K, VA> {
    const name = options.name ?? this.node.nextChildName(op);
    const store = options.storeName ?? `${name}-store`;
    const repartition = new TableRepartitionNode(
      this.grouped.name ?? options.storeName ?? name,
      this.node,
      this.grouped.keySerde as never,
      this.grouped.valueSerde as never,
    );
    this.builder.addNode(repartition);
    const keySerde = options.keySerde ?? this.grouped.keySerde;
    const factory = timestampedKeyValueStoreFactory<K, VA>(store, options, keySerde, valueSerde);
    const node = new StatefulProcessorNode(name, [repartition], supplier(store) as never, [factory]);
    this.builder.addNode(node);
    return this.makeTable<VA>(node, keySerde, valueSerde, store);
  }
}

function requireFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TopologyError(`${op}: expected a function, got ${fn === null ? 'null' : typeof fn}`);
}
