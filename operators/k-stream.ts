/**
 * KStream: a typed stream of key/value records and its stateless operators. Each method validates its
 * arguments, names the node (explicit `name` or a stable generated one, see `graph/node-naming.ts`),
 * wraps the processor in a graph node, adds it to the builder and returns a new stream.
 */
import { Subject, type Observable } from 'rxjs';
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../core/processor/processor.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { TopicNameExtractor } from '../core/topology/physical-topology.ts';
import type { SplitOptions } from './branched.ts';
import { BranchedKStream } from './branched-k-stream.ts';
import type { GraphNode } from './graph/graph-node.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import { RepartitionNode } from './graph/repartition-node.ts';
import { StreamSinkNode } from './graph/stream-sink-node.ts';
import type { Grouped } from './grouped.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';
import { KGroupedStream } from './k-grouped-stream.ts';
import { kStreamFilter } from './k-stream-filter.ts';
import { kStreamFlatMapValues } from './k-stream-flat-map-values.ts';
import { kStreamFlatMap } from './k-stream-flat-map.ts';
import { kStreamMapValues } from './k-stream-map-values.ts';
import { kStreamMap, type KeyValue } from './k-stream-map.ts';
import { kStreamObservableSink, type StreamRecord } from './k-stream-observable-sink.ts';
import { kStreamPassThrough } from './k-stream-pass-through.ts';
import { kStreamPeek } from './k-stream-peek.ts';
import { defaultPrintMapper, kStreamPrint } from './k-stream-print.ts';
import { kStreamSelectKey } from './k-stream-select-key.ts';
import type { Named } from './named.ts';
import type { PrintOptions } from './printed.ts';
import type { ProcessOptions } from './process-options.ts';
import type { Produced } from './produced.ts';
import type { Repartitioned } from './repartitioned.ts';
import type { JoinWindows } from './join-windows.ts';
import type { Joined } from './joined.ts';
import { streamStreamJoin, streamTableJoin } from './k-stream-joins.ts';
import { GlobalKTable } from './global-k-table.ts';
import { streamGlobalTableJoin, type GlobalKeySelector } from './stream-global-table-join.ts';
import type { KTable } from './k-table.ts';
import type { StreamJoined } from './stream-joined.ts';
import type { ValueJoiner } from './value-joiner.ts';

/**
 * Whether a stream is partitioned by its key: `'partitioned'` (read from a topic, or repartitioned) or
 * `'rekeyed'` (a key-changing operation ran since, so equal keys may sit in different partitions).
 */
export type Keying = 'partitioned' | 'rekeyed';

/** The keying of a merge: rekeyed if either input is. */
export type MergedKeying<A extends Keying, B extends Keying> = 'rekeyed' extends A | B ? 'rekeyed' : 'partitioned';

/** A stream whose records are partitioned by key: what stateful operations and joins need. */
export type PartitionedKStream<K, V> = KStream<K, V, 'partitioned'>;

/** A stream after a key change: a stateful operation on it needs a repartition first. */
export type RekeyedKStream<K, V> = KStream<K, V, 'rekeyed'>;

/** Serdes of the repartition inserted by {@link KStream.ensureCopartitioned}. */
export interface CopartitionOptions<K, V> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

/**
 * A stream of key/value records. `S` records in the type whether the stream is still partitioned by
 * its key (see {@link Keying}): `map`, `flatMap`, `selectKey` and `process` return a `'rekeyed'` stream;
 * `repartition()` and `ensureCopartitioned()` return a `'partitioned'` one. Operations that need
 * co-partitioned input take a {@link PartitionedKStream}, or insert the automatic repartition.
 *
 * @example
 * builder.stream<string, string>('lines', { keySerde: new StringSerde(), valueSerde: new StringSerde() })
 *   .mapValues((line) => line.trim())
 *   .filter((_key, line) => line.length > 0)
 *   .to('clean-lines');
 */
export class KStream<K, V, S extends Keying = Keying> {
  /** Whether the stream is partitioned by key (a real field, so the phantom type is checked). */
  readonly keying: S;
  /** @internal */ readonly node: GraphNode;
  /** @internal */ readonly keySerde: Serde<K> | undefined;
  /** @internal */ readonly valueSerde: Serde<V> | undefined;
  private readonly builder: InternalStreamsBuilder;
  private readonly copartitioned = new Map<string, KStream<K, V, 'partitioned'>>();

  /** @internal Streams are created by `StreamsBuilder.stream` and by operators. */
  constructor(builder: InternalStreamsBuilder, node: GraphNode, keying: S, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined) {
    this.builder = builder;
    this.node = node;
    this.keying = keying;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  /** @internal The graph this stream belongs to (stateful operators add their nodes to it). */
  get graphBuilder(): InternalStreamsBuilder {
    return this.builder;
  }

  /** Whether a stateful operation on this stream needs a repartition first (the key changed). */
  get repartitionRequired(): boolean {
    return this.keying === 'rekeyed';
  }

  /** @internal Adds `node` and returns the stream it produces. */
  derive<K2, V2, S2 extends Keying>(node: GraphNode, keying: S2, keySerde: Serde<K2> | undefined, valueSerde: Serde<V2> | undefined): KStream<K2, V2, S2> {
    this.builder.addNode(node);
    return new KStream(this.builder, node, keying, keySerde, valueSerde);
  }

  private processor<K2, V2, S2 extends Keying>(
    op: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<any, any, any, any>,
    keying: S2,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
  ): KStream<K2, V2, S2> {
    const name = named?.name ?? this.node.nextChildName(op);
    return this.derive(new ProcessorGraphNode(name, [this.node], supplier), keying, keySerde, valueSerde);
  }

  /**
   * A new key and value per record (`[key, value]`); timestamp and headers are kept. Stateless; the key
   * changes, so the result is `'rekeyed'`.
   *
   * @example
   * orders.map((_k, o) => [o.customerId, o.amount]);
   */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, named?: Named): KStream<K2, V2, 'rekeyed'> {
    requireFunction('map', mapper);
    return this.processor('map', named, kStreamMap(mapper), 'rekeyed', undefined, undefined);
  }

  /**
   * A new value per record; the mapper also gets the read-only key. Stateless; keeps the key, the
   * timestamp, the headers and the keying.
   *
   * @example
   * orders.mapValues((o) => o.amount);
   * orders.mapValues((o, key) => `${key}:${o.amount}`);
   */
  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: Named): KStream<K, V2, S> {
    requireFunction('mapValues', mapper);
    return this.processor('mapValues', named, kStreamMapValues(mapper), this.keying, this.keySerde, undefined);
  }

  /**
   * Zero or more `[key, value]` pairs per record; each carries the input's timestamp and a copy of its
   * headers. Stateless; the key changes.
   *
   * @example
   * sentences.flatMap((_k, s) => s.split(' ').map((w) => [w, 1] as const));
   */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>, named?: Named): KStream<K2, V2, 'rekeyed'> {
    requireFunction('flatMap', mapper);
    return this.processor('flatMap', named, kStreamFlatMap(mapper), 'rekeyed', undefined, undefined);
  }

  /**
   * Zero or more values per record (the mapper also gets the read-only key); each keeps the key and
   * timestamp and gets a copy of the headers. Stateless.
   *
   * @example
   * lines.flatMapValues((line) => line.split(/\W+/));
   */
  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: Named): KStream<K, V2, S> {
    requireFunction('flatMapValues', mapper);
    return this.processor('flatMapValues', named, kStreamFlatMapValues(mapper), this.keying, this.keySerde, undefined);
  }

  /**
   * The records the predicate accepts, unchanged. Stateless.
   *
   * @example
   * orders.filter((_k, o) => o.amount > 100);
   */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V, S> {
    requireFunction('filter', predicate);
    return this.processor('filter', named, kStreamFilter(predicate, false), this.keying, this.keySerde, this.valueSerde);
  }

  /**
   * The records the predicate rejects, unchanged. Stateless.
   *
   * @example
   * events.filterNot((_k, e) => e.test);
   */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V, S> {
    requireFunction('filterNot', predicate);
    return this.processor('filterNot', named, kStreamFilter(predicate, true), this.keying, this.keySerde, this.valueSerde);
  }

  /**
   * A new key per record; value, timestamp and headers are kept. Stateless; the key changes.
   *
   * @example
   * orders.selectKey((_k, o) => o.customerId);
   */
  selectKey<K2>(selector: (key: K, value: V) => K2, named?: Named): KStream<K2, V, 'rekeyed'> {
    requireFunction('selectKey', selector);
    return this.processor('selectKey', named, kStreamSelectKey(selector), 'rekeyed', undefined, this.valueSerde);
  }

  /**
   * Calls `action` per record and passes the record on unchanged. Stateless; for side effects such as
   * logging.
   *
   * @example
   * orders.peek((k, o) => log.debug(k, o)).to('orders-copy');
   */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V, S> {
    requireFunction('peek', action);
    return this.processor('peek', named, kStreamPeek(action, true), this.keying, this.keySerde, this.valueSerde);
  }

  /**
   * Calls `action` per record; terminal.
   *
   * @example
   * orders.foreach((k, o) => totals.set(k, o.amount));
   */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    requireFunction('foreach', action);
    this.processor('foreach', named, kStreamPeek(action, false), this.keying, undefined, undefined);
  }

  /**
   * Writes `[label]: key, value` per record to `options.to` (default stdout); terminal.
   *
   * @example
   * orders.print({ label: 'orders', mapper: (k, o) => `${k} ${o.amount}` });
   */
  print(options: PrintOptions<K, V> = {}): void {
    const name = options.name ?? this.node.nextChildName('print');
    const mapper = options.mapper ?? (defaultPrintMapper as (key: K, value: V) => string);
    const sink = options.to ?? process.stdout;
    this.derive(new ProcessorGraphNode(name, [this.node], kStreamPrint(options.label ?? name, mapper, sink)), this.keying, undefined, undefined);
  }

  /**
   * Splits the stream into named branches: each record goes to the first branch whose predicate
   * matches (else to the default branch, if any). Branch names are the split's name (the prefix) plus
   * the branch name. Stateless.
   *
   * @example
   * const branches = logs.split({ name: 'logs-' })
   *   .branch((_k, l) => l.level === 'error', { name: 'error' })
   *   .defaultBranch({ name: 'other' });
   * branches['logs-error']!.to('errors');
   */
  split(options: SplitOptions = {}): BranchedKStream<K, V, S> {
    const name = options.name ?? `${this.node.nextChildName('split')}-`;
    return new BranchedKStream(this, name);
  }

  /**
   * The records of both streams, interleaved as they arrive. Stateless; the result is rekeyed if either
   * input is.
   *
   * @throws TopologyError when `other` belongs to another builder.
   * @example
   * clicks.merge(views).to('events');
   */
  merge<S2 extends Keying>(other: KStream<K, V, S2>, named?: Named): KStream<K, V, MergedKeying<S, S2>> {
    if (!(other instanceof KStream) || !this.builder.owns(other.node)) {
      throw new TopologyError('merge: the other stream must come from the same StreamsBuilder');
    }
    const name = named?.name ?? this.node.nextChildName('merge');
    const keying = (this.keying === 'rekeyed' || other.keying === 'rekeyed' ? 'rekeyed' : 'partitioned') as MergedKeying<S, S2>;
    const node = new ProcessorGraphNode(name, [this.node, other.node], kStreamPassThrough());
    return this.derive(
      node,
      keying,
      this.keySerde === other.keySerde ? this.keySerde : undefined,
      this.valueSerde === other.valueSerde ? this.valueSerde : undefined,
    );
  }

  /**
   * Writes the stream to a topic, or to the topic `(key, value, recordContext) => topic` picks per
   * record. Serdes not given fall back to the stream's (while known), then to the defaults. Terminal.
   *
   * @example
   * orders.to('orders-out', { valueSerde: new JsonSerde<Order>() });
   * logs.to((_k, l) => `logs-${l.level}`);
   */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    if (typeof topic !== 'function' && (typeof topic !== 'string' || topic.length === 0)) {
      throw new TopologyError('to: the topic must be a non-empty string or a TopicNameExtractor');
    }
    const name = produced.name ?? this.node.nextChildName('to');
    const node = new StreamSinkNode(
      name,
      this.node,
      topic,
      produced.keySerde ?? this.keySerde,
      produced.valueSerde ?? this.valueSerde,
      produced.partitioner,
    );
    this.builder.addNode(node);
  }

  /**
   * Repartitions the stream through the internal topic `<applicationId>-<name>-repartition` (sink ->
   * topic -> source), splitting the topology into two sub-topologies. The result is partitioned by key.
   *
   * @throws TopologyError for a non-positive partition count or a name that makes an invalid topic name.
   * @example
   * orders.selectKey((_k, o) => o.customerId).repartition({ name: 'by-customer', numberOfPartitions: 6 });
   */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V, 'partitioned'> {
    const n = options.numberOfPartitions;
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      throw new TopologyError(`repartition: numberOfPartitions must be a positive integer, got ${n}`);
    }
    const base = options.name ?? this.node.nextChildName('repartition');
    const keySerde = options.keySerde ?? this.keySerde;
    const valueSerde = options.valueSerde ?? this.valueSerde;
    const node = new RepartitionNode(base, this.node, keySerde, valueSerde, options.partitioner, n);
    return this.derive(node, 'partitioned', keySerde, valueSerde);
  }

  /**
   * The hook stateful operations (groupByKey, joins, `process` with stores) call: a stream that is
   * partitioned by key. When the key changed upstream (`repartitionRequired`) it inserts the automatic
   * repartition `<name>-repartition` (once per name); otherwise it returns this stream.
   *
   * @example
   * const partitioned = rekeyed.ensureCopartitioned('counts'); // topic <applicationId>-counts-repartition
   */
  ensureCopartitioned(name: string, options: CopartitionOptions<K, V> = {}): KStream<K, V, 'partitioned'> {
    if (this.keying === 'partitioned') return this as KStream<K, V, 'partitioned'>;
    const known = this.copartitioned.get(name);
    if (known) return known;
    const keySerde = options.keySerde ?? this.keySerde;
    const valueSerde = options.valueSerde ?? this.valueSerde;
    const stream = this.derive(new RepartitionNode(name, this.node, keySerde, valueSerde, undefined, undefined), 'partitioned', keySerde, valueSerde);
    this.copartitioned.set(name, stream);
    return stream;
  }

  /**
   * Groups the records by their key for an aggregation. On a `'rekeyed'` stream the aggregation first
   * repartitions automatically (`<Grouped name | store name | processor name>-repartition`), so the
   * records of a key meet in one task; on a partitioned stream nothing is added.
   *
   * @example
   * clicks.groupByKey().count();
   */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(this, grouped);
  }

  /**
   * Groups the records by a new key (`selector`) for an aggregation: a key change, so the aggregation
   * always repartitions (`<Grouped name | store name | processor name>-repartition`).
   *
   * @example
   * words.groupBy((_k, word) => word, { keySerde: Serdes.string() }).count();
   */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped: Grouped<K2, V> = {}): KGroupedStream<K2, V> {
    requireFunction('groupBy', selector);
    const rekeyed = this.processor('groupBy', undefined, kStreamSelectKey(selector), 'rekeyed', grouped.keySerde, grouped.valueSerde ?? this.valueSerde);
    return new KGroupedStream<K2, V>(rekeyed, grouped);
  }

  /**
   * Runs a custom processor (one per task) that may forward any key and value. With `stores` it is
   * stateful: after a key change the automatic repartition `<name>-repartition` is inserted before it.
   * The result is `'rekeyed'` (the processor may change keys).
   *
   * @example
   * orders.process(() => new Dedupe(), { name: 'dedupe', stores: ['seen'] });
   */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, options: ProcessOptions = {}): KStream<KOut, VOut, 'rekeyed'> {
    requireFunction('process', supplier);
    const name = options.name ?? this.node.nextChildName('process');
    const stores = options.stores ?? [];
    const input = stores.length > 0 ? this.ensureCopartitioned(name) : this;
    return input.derive(new ProcessorGraphNode(name, [input.node], supplier, stores), 'rekeyed', undefined, undefined);
  }

  /**
   * Runs a custom fixed-key processor (one per task): it may change values but never keys, so the
   * keying is kept. With `stores` it is stateful: after a key change the automatic repartition
   * `<name>-repartition` is inserted before it, and the result is partitioned.
   *
   * @example
   * orders.processValues(() => new Enrich(), { stores: ['customers'] });
   */
  processValues<VOut>(
    supplier: FixedKeyProcessorSupplier<K, V, VOut>,
    options: ProcessOptions & { stores: readonly [string, ...string[]] },
  ): KStream<K, VOut, 'partitioned'>;
  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, options?: ProcessOptions): KStream<K, VOut, S>;
  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, options: ProcessOptions = {}): KStream<K, VOut, Keying> {
    requireFunction('processValues', supplier);
    const name = options.name ?? this.node.nextChildName('processValues');
    const stores = options.stores ?? [];
    const input: KStream<K, V, Keying> = stores.length > 0 ? this.ensureCopartitioned(name) : this;
    // A fixed-key processor is a processor whose context type forbids key changes; at runtime the
    // context and records are the same objects, so the supplier is used as it is (no wrapper per record).
    const asProcessor = supplier as unknown as ProcessorSupplier<K, V, K, VOut>;
    return input.derive(new ProcessorGraphNode(name, [input.node], asProcessor, stores), input.keying, input.keySerde, undefined);
  }

  /**
   * Inner join. With another stream and {@link JoinWindows}: each record is joined with every record of
   * the other stream with the same key whose timestamp lies in its window; the result carries the larger
   * timestamp. Materializes both sides' window stores (changelogged). With a table: each record is
   * joined with the table's current value for its key (no row: nothing); table updates emit nothing.
   * Both inputs must be co-partitioned: a rekeyed input is repartitioned automatically
   * (`<name>-left-repartition` / `<name>-right-repartition`, or `<name>-repartition` for a table join).
   * Records with a null key or value are dropped. With a {@link GlobalKTable} and a key selector: each
   * record is joined with the global table's row for `keySelector(key, value)`, read from the full local
   * copy, so no co-partitioning or repartition is needed and the result keeps the stream's key and
   * keying; a record whose selected key is null or has no row is dropped (a null stream key is fine).
   *
   * @throws TopologyError when the other input belongs to another builder or an argument is invalid
   * @example
   * clicks.join(impressions, (click, imp) => ({ click, imp }), JoinWindows.ofTimeDifferenceWithNoGrace('10m'));
   * views.join(users, (view, user) => ({ ...view, region: user.region }));
   * orders.join(countries, (_id, order) => order.countryCode, (order, country) => ({ ...order, country }));
   */
  join<VO, VR>(other: KStream<K, VO, Keying>, joiner: ValueJoiner<K, V, VO, VR>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR, 'partitioned'>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<K, V, VT, VR>, options?: Joined<K, V, VT>): KStream<K, VR, 'partitioned'>;
  join<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keySelector: GlobalKeySelector<K, V, GK>, joiner: ValueJoiner<K, V, GV, VR>, named?: Named): KStream<K, VR, S>;
  join(other: unknown, joiner: any, third?: any, fourth?: any): KStream<K, unknown, any> {
    if (other instanceof GlobalKTable) return streamGlobalTableJoin(this, other, joiner, third, fourth ?? {}, false);
    if (other instanceof KStream) return streamStreamJoin(this, other, joiner, third, fourth ?? {}, 'inner');
    return streamTableJoin(this, other as KTable<K, unknown>, joiner, third ?? {}, false);
  }

  /**
   * Left join: like {@link KStream.join}, and every record of this stream is also emitted when it found
   * no partner, with `null` for the other value. With a stream, that happens only once no partner can
   * be accepted any more (see {@link JoinWindows}: stream time past `t + 2 * after + grace`), never
   * eagerly; the waiting records live in the changelogged outer join shared store. With a table, at once.
   * With a {@link GlobalKTable}: at once, `joiner(value, null, key)` when the selected key is null or has
   * no row. A record of this stream with a null key (and a value) can match nothing: with a stream or a
   * table it is emitted at once as `joiner(value, null, null)` (Kafka Streams 3.7+, KIP-962); null
   * values, and the other stream's null keys, are dropped.
   *
   * @throws TopologyError when the other input belongs to another builder or an argument is invalid
   * @example
   * clicks.leftJoin(impressions, (click, imp) => ({ click, campaign: imp?.campaign ?? null }), JoinWindows.ofTimeDifferenceWithNoGrace('10m'));
   * orders.leftJoin(countries, (_id, order) => order.countryCode, (order, country) => ({ ...order, country: country ?? 'unknown' }));
   */
  leftJoin<VO, VR>(other: KStream<K, VO, Keying>, joiner: ValueJoiner<K, V, VO | null, VR>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR, 'partitioned'>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<K, V, VT | null, VR>, options?: Joined<K, V, VT>): KStream<K, VR, 'partitioned'>;
  leftJoin<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keySelector: GlobalKeySelector<K, V, GK>, joiner: ValueJoiner<K, V, GV | null, VR>, named?: Named): KStream<K, VR, S>;
  leftJoin(other: unknown, joiner: any, third?: any, fourth?: any): KStream<K, unknown, any> {
    if (other instanceof GlobalKTable) return streamGlobalTableJoin(this, other, joiner, third, fourth ?? {}, true);
    if (other instanceof KStream) return streamStreamJoin(this, other, joiner, third, fourth ?? {}, 'left');
    return streamTableJoin(this, other as KTable<K, unknown>, joiner, third ?? {}, true);
  }

  /**
   * Outer join of two streams: like {@link KStream.leftJoin}, and records of either side that found no
   * partner are emitted (with `null` for the missing side) once their window has closed. Null-key records
   * of either side are emitted at once with `null` for the other side (KIP-962); null values are dropped.
   *
   * @throws TopologyError when the other stream belongs to another builder or an argument is invalid
   * @example
   * left.outerJoin(right, (l, r) => `${l ?? '-'}/${r ?? '-'}`, JoinWindows.ofTimeDifferenceAndGrace('5s', '1s'));
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO, Keying>,
    joiner: ValueJoiner<K, V | null, VO | null, VR>,
    windows: JoinWindows,
    options: StreamJoined<K, V, VO> = {},
  ): KStream<K, VR, 'partitioned'> {
    if (!(other instanceof KStream)) throw new TopologyError(`outerJoin of "${this.node.name}": the other input must be a KStream (tables: KTable.outerJoin)`);
    return streamStreamJoin(this, other, joiner, windows, options, 'outer');
  }

  /**
   * The records of this stream as a hot rxjs Observable, while the application runs, in this process
   * only: a terminal processor pushes each record into a Subject shared by every task (and by every
   * application instance of this topology in the process). Nothing is buffered for late subscribers,
   * and the Observable does not complete when the application stops. The edge of the topology: rxjs
   * is not used inside the per-record path before it.
   *
   * @example
   * builder.stream<string, Order>('orders', serdes).toObservable().subscribe((r) => console.log(r.key, r.value));
   */
  toObservable(named?: Named): Observable<StreamRecord<K, V>> {
    const subject = new Subject<StreamRecord<K, V>>();
    this.processor('observe', named, kStreamObservableSink(subject), this.keying, undefined, undefined);
    return subject.asObservable();
  }
}

function requireFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TopologyError(`${op}: expected a function, got ${fn === null ? 'null' : typeof fn}`);
}
