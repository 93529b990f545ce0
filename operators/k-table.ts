/**
 * KTable: a changelog stream read as a table: the latest value per key. Updates flow between table
 * operators as `Change`s (new and old value), so operators downstream (filters, aggregations with a
 * subtractor) know what a row was before. A table made by an aggregation or `builder.table` is
 * materialized in a store; with caching on (the default) it forwards one update per key per commit
 * interval, else every update.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { Topology } from '../core/topology/topology.ts';
import type { Change } from './change.ts';
import type { DroppedRecords } from './dropped-records.ts';
import type { GraphNode, WriteContext } from './graph/graph-node.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import { StatefulProcessorNode } from './graph/stateful-processor-node.ts';
import type { Grouped } from './grouped.ts';
import { suppressionBufferBuilder } from './in-memory-time-ordered-key-value-buffer.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';
import { KGroupedTable } from './k-grouped-table.ts';
import type { KStream, Keying } from './k-stream.ts';
import type { KeyValue } from './k-stream-map.ts';
import { kTableFilter } from './k-table-filter.ts';
import { kTableMapValues } from './k-table-map-values.ts';
import { kTableRepartitionMap } from './k-table-repartition-map.ts';
import { kTableSuppress } from './k-table-suppress.ts';
import { kTableToStream } from './k-table-to-stream.ts';
import type { Materialized, NamedOperation } from './materialized.ts';
import type { Named } from './named.ts';
import { resolveSerde, timestampedKeyValueStoreFactory } from './store-factories.ts';
import { foreignKeyJoin, type ForeignKeyJoinOptions } from './foreign-key-join.ts';
import type { JoinResult } from './table-join-side.ts';
import { tableTableJoin, type TableJoinOptions } from './table-table-join.ts';
import type { Windowed } from './store-views.ts';
import type { Suppression } from './suppressed.ts';

/** The windows behind a windowed table: what `suppress(untilWindowCloses)` needs. */
export interface TableWindowing {
  readonly graceMs: number;
}

/** Options of table operations that may materialize their result. */
export type TableOperationOptions<K, V> = NamedOperation & Materialized<K, V>;

function wantsStore(options: Materialized<unknown, unknown>): boolean {
  return options.storeName !== undefined || options.kind !== undefined || options.retention !== undefined;
}

/**
 * A table of the latest value per key.
 *
 * @example
 * const users = builder.table<string, User>('users', { keySerde: Serdes.string(), valueSerde: Serdes.json<User>() });
 * users.filter((_id, u) => u.active).toStream().to('active-users');
 */
export class KTable<K, V> {
  /** @internal */ readonly node: GraphNode;
  /** @internal */ readonly keySerde: Serde<K> | undefined;
  /** @internal */ readonly valueSerde: Serde<V> | undefined;
  /** The name of the store the table is materialized in (queryable), or null when it is not materialized. */
  readonly queryableStoreName: string | null;
  /** What the operation that made this table dropped (null keys or values, late records). */
  readonly droppedRecords: DroppedRecords | null;
  /** @internal The windows of a windowed aggregation's table, else null. */
  readonly windowing: TableWindowing | null;
  private readonly builder: InternalStreamsBuilder;
  /** A stream of the same builder: `toStream` derives from it (so this module needs KStream only as a type). */
  private readonly seed: KStream<any, any, Keying>;

  /**
   * @internal Tables are made by `StreamsBuilder.table`, aggregations and table operators; `seed` is any
   * stream of the same builder.
   */
  constructor(
    seed: KStream<any, any, Keying>,
    node: GraphNode,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    queryableStoreName: string | null,
    droppedRecords: DroppedRecords | null = null,
    windowing: TableWindowing | null = null,
  ) {
    this.seed = seed;
    this.builder = seed.graphBuilder;
    this.node = node;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.queryableStoreName = queryableStoreName;
    this.droppedRecords = droppedRecords;
    this.windowing = windowing;
  }

  private derive<K2, V2>(node: GraphNode, keySerde: Serde<K2> | undefined, valueSerde: Serde<V2> | undefined, store: string | null): KTable<K2, V2> {
    this.builder.addNode(node);
    return new KTable(this.seed, node, keySerde, valueSerde, store, null, this.windowing);
  }

  private tableOp<V2>(op: string, options: TableOperationOptions<K, V2>, valueSerde: Serde<V2> | undefined, supplier: (store: string | null) => () => unknown): KTable<K, V2> {
    const name = options.name ?? this.node.nextChildName(op);
    if (!wantsStore(options)) {
      return this.derive(new ProcessorGraphNode(name, [this.node], supplier(null) as never), this.keySerde, valueSerde, null);
    }
    const store = options.storeName ?? `${name}-store`;
    const factory = timestampedKeyValueStoreFactory<K, V2>(store, options, this.keySerde, valueSerde);
    return this.derive(new StatefulProcessorNode(name, [this.node], supplier(store) as never, [factory]), options.keySerde ?? this.keySerde, options.valueSerde ?? valueSerde, store);
  }

  /**
   * The rows the predicate accepts; a row that stops matching is deleted downstream (a tombstone).
   * Materialized when options name a store (or set `kind`).
   *
   * @example
   * users.filter((_id, u) => u.active, { storeName: 'active-users' });
   */
  filter(predicate: (key: K, value: V) => boolean, options: TableOperationOptions<K, V> = {}): KTable<K, V> {
    requireFunction('filter', predicate);
    return this.tableOp('filter', options, this.valueSerde, (store) => kTableFilter(predicate, false, store));
  }

  /**
   * The rows the predicate rejects; a row that starts matching is deleted downstream.
   *
   * @example
   * users.filterNot((_id, u) => u.banned);
   */
  filterNot(predicate: (key: K, value: V) => boolean, options: TableOperationOptions<K, V> = {}): KTable<K, V> {
    requireFunction('filterNot', predicate);
    return this.tableOp('filterNot', options, this.valueSerde, (store) => kTableFilter(predicate, true, store));
  }

  /**
   * A new value per row (the mapper also gets the read-only key); deletes stay deletes.
   *
   * @example
   * users.mapValues((u) => u.email);
   */
  mapValues<V2>(mapper: (value: V, key: K) => V2, options: TableOperationOptions<K, V2> = {}): KTable<K, V2> {
    requireFunction('mapValues', mapper);
    return this.tableOp('mapValues', options, options.valueSerde, (store) => kTableMapValues(mapper, store));
  }

  /**
   * The table's changelog as a stream: each update with the row's new value (null for a delete).
   *
   * @example
   * counts.toStream().to('counts', { valueSerde: Serdes.int64() });
   */
  toStream(named?: Named): KStream<K, V, 'partitioned'> {
    const name = named?.name ?? this.node.nextChildName('toStream');
    const node = new ProcessorGraphNode(name, [this.node], kTableToStream());
    return this.seed.derive<K, V, 'partitioned'>(node, 'partitioned', this.keySerde, this.valueSerde);
  }

  /**
   * Re-groups the table by a new key (and value) per row, for `count`, `reduce` or `aggregate` with an
   * adder and a subtractor. Always repartitions (`<name>-repartition`): the old row's mapping is
   * subtracted from its old group and the new one added to its new group.
   *
   * @example
   * users.groupBy((_id, u) => [u.region, u], { keySerde: Serdes.string(), valueSerde: userSerde }).count();
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>, grouped: Grouped<K2, V2> = {}): KGroupedTable<K2, V2> {
    requireFunction('groupBy', selector);
    const name = this.node.nextChildName('groupBy');
    const node = new ProcessorGraphNode(name, [this.node], kTableRepartitionMap(selector));
    this.builder.addNode(node);
    return new KGroupedTable<K2, V2>(this.builder, node, grouped, (n, ks, vs, store) => new KTable(this.seed, n, ks, vs, store));
  }

  /**
   * Holds updates back (see {@link Suppressed}): `untilWindowCloses` forwards one final result per
   * window of a windowed table; `untilTimeLimit` the latest value per key at most once per time limit.
   * The buffer is a changelogged in-memory store (`<name>-store`), restored after a restart.
   *
   * @throws TopologyError for `untilWindowCloses` on a table that is not the result of a windowed aggregation
   * @example
   * windowedCounts.suppress(Suppressed.untilWindowCloses()).toStream().to('final-counts', { keySerde });
   */
  suppress(suppression: Suppression): KTable<K, V> {
    if (suppression.kind === 'untilWindowCloses' && this.windowing === null) {
      throw new TopologyError('suppress(untilWindowCloses) needs a windowed table (the result of windowedBy(...).count/reduce/aggregate)');
    }
    const name = suppression.name ?? this.node.nextChildName('suppress');
    const storeName = `${name}-store`;
    const graceMs = this.windowing?.graceMs ?? 0;
    const keySerde = this.keySerde;
    const valueSerde = this.valueSerde;
    const node = new SuppressNode(name, this.node, storeName, (context) =>
      kTableSuppress<K, V>({
        storeName,
        suppression,
        graceMs,
        keySerde: resolveSerde(storeName, 'key', undefined, keySerde, context),
        valueSerde: resolveSerde(storeName, 'value', undefined, valueSerde, context),
        serdeTopic: `${storeName}-changelog`,
      }),
    );
    this.builder.addNode(node);
    return new KTable<K, V>(this.seed, node, keySerde, valueSerde, null, null, this.windowing);
  }

  /**
   * Inner join with another table, either by primary key (`join(other, joiner, options?)`: the rows
   * with equal keys) or by foreign key (`join(other, foreignKeyExtractor, joiner, options?)`: this
   * row's value names the key of the other table's row). An update on either side recomputes the
   * result of the rows it touches; a key whose result existed and no longer does gets a tombstone. The
   * result timestamp is the larger of the two rows'. A primary-key join needs co-partitioned tables
   * (tables always are partitioned by key; the runtime checks equal partition counts at start); a
   * foreign-key join does not, and goes through the topics `<name>-subscription-registration-topic` and
   * `<name>-subscription-response-topic`. A table that is not materialized is materialized for the
   * join. Null foreign keys: no partner, so no result. The result is materialized when the options name
   * a store or a kind.
   *
   * @throws TopologyError when `other` is not a table of this builder (naming both), or an argument is
   *   not a function
   * @example
   * const enriched = orders.join(customers, (o) => o.customerId, (o, c) => ({ ...o, customer: c.name }));
   * const both = prices.join(stock, (p, s) => ({ price: p, stock: s }), { storeName: 'price-and-stock' });
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null | undefined,
    joiner: (value: V, other: VO) => VR,
    options?: ForeignKeyJoinOptions<K, VR, KO>,
  ): KTable<K, VR>;
  join<VO, VR>(other: KTable<K, VO>, joiner: (value: V, other: VO) => VR, options?: TableJoinOptions<K, VR>): KTable<K, VR>;
  join(other: KTable<any, any>, fn: (value: V, other?: any) => any, joinerOrOptions?: unknown, options?: ForeignKeyJoinOptions<K, unknown, unknown>): KTable<K, unknown> {
    if (typeof joinerOrOptions === 'function') {
      return this.joined(foreignKeyJoin(this.builder, false, this, other, fn, joinerOrOptions as (v: V, o: unknown) => unknown, options ?? {}));
    }
    return this.joined(tableTableJoin(this.builder, 'join', this, other, fn, (joinerOrOptions ?? {}) as TableJoinOptions<K, unknown>));
  }

  /**
   * Left join with another table, by primary key (`leftJoin(other, joiner, options?)`) or by foreign key
   * (`leftJoin(other, foreignKeyExtractor, joiner, options?)`): every row of this table has a result,
   * `joiner(value, other)` with the other row, or with null while there is none (also when the foreign
   * key is null). A deleted row of this table deletes its result; a deleted other row turns the results
   * into `joiner(value, null)`. Otherwise as {@link KTable.join}.
   *
   * @throws TopologyError when `other` is not a table of this builder (naming both), or an argument is
   *   not a function
   * @example
   * orders.leftJoin(customers, (o) => o.customerId, (o, c) => ({ ...o, customer: c?.name ?? 'unknown' }));
   */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null | undefined,
    joiner: (value: V, other: VO | null) => VR,
    options?: ForeignKeyJoinOptions<K, VR, KO>,
  ): KTable<K, VR>;
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V, other: VO | null) => VR, options?: TableJoinOptions<K, VR>): KTable<K, VR>;
  leftJoin(other: KTable<any, any>, fn: (value: V, other?: any) => any, joinerOrOptions?: unknown, options?: ForeignKeyJoinOptions<K, unknown, unknown>): KTable<K, unknown> {
    if (typeof joinerOrOptions === 'function') {
      return this.joined(foreignKeyJoin(this.builder, true, this, other, fn, joinerOrOptions as (v: V, o: unknown) => unknown, options ?? {}));
    }
    return this.joined(tableTableJoin(this.builder, 'leftJoin', this, other, fn, (joinerOrOptions ?? {}) as TableJoinOptions<K, unknown>));
  }

  /**
   * Outer join with another table by primary key: a key has a result while either table has a row,
   * `joiner(value | null, other | null)`; it gets a tombstone when both rows are gone. Otherwise as
   * {@link KTable.join}.
   *
   * @throws TopologyError when `other` is not a table of this builder (naming both), or the joiner is
   *   not a function
   * @example
   * left.outerJoin(right, (l, r) => `${l ?? '-'}/${r ?? '-'}`, { storeName: 'both' });
   */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V | null, other: VO | null) => VR, options: TableJoinOptions<K, VR> = {}): KTable<K, VR> {
    return this.joined(tableTableJoin(this.builder, 'outerJoin', this, other, joiner, options));
  }

  private joined<VR>(result: JoinResult<K, VR>): KTable<K, VR> {
    return new KTable<K, VR>(this.seed, result.node, result.keySerde, result.valueSerde, result.storeName);
  }
}

/** The suppress processor and its buffer; the processor's serdes are resolved when the topology is written. */
class SuppressNode extends StatefulProcessorNode {
  constructor(
    name: string,
    parent: GraphNode,
    storeName: string,
    private readonly makeSupplier: (context: WriteContext) => () => unknown,
  ) {
    super(name, [parent], () => {
      throw new TopologyError(`Suppress node "${name}" was not written to a topology`);
    }, [{ name: storeName, build: () => suppressionBufferBuilder(storeName) }]);
  }

  override writeToTopology(topology: Topology, context: WriteContext): void {
    topology.addProcessor(this.name, this.makeSupplier(context) as never, ...this.parents.map((p) => p.name));
    for (const store of this.stores) topology.addStateStore(store.build(context), this.name);
  }
}

/** A windowed table's key type. */
export type WindowedKTable<K, V> = KTable<Windowed<K>, V>;

/** Re-exported for the DSL's users. */
export type { Change };

function requireFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TopologyError(`${op}: expected a function, got ${fn === null ? 'null' : typeof fn}`);
}
