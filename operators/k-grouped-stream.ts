/**
 * KGroupedStream: a stream grouped by key (`groupByKey` / `groupBy`), ready to aggregate. An aggregation
 * needs the records of a key in one task: when the key changed upstream (a `'rekeyed'` stream, or
 * `groupBy`), the records first go through the repartition topic `<name>-repartition`, where `name`
 * is the Grouped name, else the store name, else the aggregation's processor name. Aggregations
 * materialize a timestamped key-value store and return a KTable; records with a null key or value are
 * dropped and counted (`table.droppedRecords`).
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Serdes } from '../core/serde/serdes.ts';
import { DroppedRecords } from './dropped-records.ts';
import { StatefulProcessorNode } from './graph/stateful-processor-node.ts';
import type { Grouped } from './grouped.ts';
import { kStreamAggregate, type Aggregator, type Initializer } from './k-stream-aggregate.ts';
import { kStreamReduce, type Reducer } from './k-stream-reduce.ts';
import type { KStream, Keying } from './k-stream.ts';
import { KTable } from './k-table.ts';
import type { Materialized, NamedOperation } from './materialized.ts';
import { SessionWindowedKStream } from './session-windowed-k-stream.ts';
import type { SessionWindows } from './session-windows.ts';
import type { SlidingWindows } from './sliding-windows.ts';
import { timestampedKeyValueStoreFactory } from './store-factories.ts';
import { TimeWindowedKStream, type WindowedByOptions } from './time-windowed-k-stream.ts';
import type { TimeWindows } from './time-windows.ts';

/** Options of an aggregation: the processor's name and the result's store. */
export type AggregateOptions<K, VA> = NamedOperation & Materialized<K, VA>;

/** What an aggregation needs of its grouped input. */
export interface GroupedInput<K, V> {
  /** The processor name. */
  readonly name: string;
  /** The stream to aggregate (repartitioned when the key changed). */
  readonly stream: KStream<K, V, Keying>;
}

/**
 * A grouped stream.
 *
 * @example
 * const counts = words.groupBy((_k, w) => w, { keySerde: Serdes.string() }).count({ storeName: 'word-counts' });
 */
export class KGroupedStream<K, V> {
  /** @internal Made by `KStream.groupByKey` / `groupBy`. */
  constructor(
    private readonly stream: KStream<K, V, Keying>,
    /** @internal */ readonly grouped: Grouped<K, V>,
  ) {}

  /**
   * @internal The input of an aggregation `op`: its processor name, and the stream repartitioned when
   * the key changed (repartition `<Grouped name | store name | processor name>-repartition`).
   */
  input(op: string, options: NamedOperation & { storeName?: string }): GroupedInput<K, V> {
    const name = options.name ?? this.stream.node.nextChildName(op);
    const serdes = {
      ...(this.grouped.keySerde ? { keySerde: this.grouped.keySerde } : {}),
      ...(this.grouped.valueSerde ? { valueSerde: this.grouped.valueSerde } : {}),
    };
    const stream = this.stream.ensureCopartitioned(this.grouped.name ?? options.storeName ?? name, serdes);
    return { name, stream };
  }

  /** @internal The key serde of the grouped records, when known. */
  get keySerde(): Serde<K> | undefined {
    return this.grouped.keySerde ?? this.stream.keySerde;
  }

  /** @internal The value serde of the grouped records, when known. */
  get valueSerde(): Serde<V> | undefined {
    return this.grouped.valueSerde ?? this.stream.valueSerde;
  }

  /**
   * The number of records per key, as a table (values: `number`, stored with `Serdes.int64()`).
   *
   * @example
   * clicks.groupByKey().count({ storeName: 'clicks-per-user' });
   */
  count(options: AggregateOptions<K, number> = {}): KTable<K, number> {
    return this.aggregateWith<number>('count', options, options.valueSerde ?? Serdes.int64(), (store, dropped) =>
      kStreamAggregate<K, V, number>(store, () => 0, (_k, _v, n) => n + 1, dropped),
    );
  }

  /**
   * The values of each key combined with `reducer` (the first value is taken as it is), as a table.
   *
   * @example
   * amounts.groupByKey().reduce((a, b) => a + b);
   */
  reduce(reducer: Reducer<V>, options: AggregateOptions<K, V> = {}): KTable<K, V> {
    requireFunction('reduce', reducer);
    return this.aggregateWith<V>('reduce', options, options.valueSerde ?? this.valueSerde, (store, dropped) => kStreamReduce<K, V>(store, reducer, dropped));
  }

  /**
   * An aggregate per key, starting from `initializer()` and folding each value in with `aggregator`.
   *
   * @example
   * orders.groupByKey().aggregate(() => ({ n: 0, total: 0 }), (_k, o, a) => ({ n: a.n + 1, total: a.total + o.amount }), { valueSerde: Serdes.json() });
   */
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, options: AggregateOptions<K, VA> = {}): KTable<K, VA> {
    requireFunction('aggregate', initializer);
    requireFunction('aggregate', aggregator);
    return this.aggregateWith<VA>('aggregate', options, options.valueSerde, (store, dropped) => kStreamAggregate<K, V, VA>(store, initializer, aggregator, dropped));
  }

  /**
   * Windowed aggregations: tumbling or hopping {@link TimeWindows}, {@link SlidingWindows}, or
   * {@link SessionWindows}. Options set the emit strategy and the late-record handler.
   *
   * @example
   * stream.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace('1m'), { emitStrategy: 'onWindowClose' }).count();
   */
  windowedBy(windows: TimeWindows | SlidingWindows, options?: WindowedByOptions<K, V>): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows, options?: WindowedByOptions<K, V>): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows, options: WindowedByOptions<K, V> = {}): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows?.kind === 'session') return new SessionWindowedKStream(this, windows, options);
    if (windows?.kind === 'time' || windows?.kind === 'sliding') return new TimeWindowedKStream(this, windows, options);
    throw new TopologyError('windowedBy: expected TimeWindows, SlidingWindows or SessionWindows');
  }

  private aggregateWith<VA>(
    op: string,
    options: AggregateOptions<K, VA>,
    valueSerde: Serde<VA> | undefined,
    supplier: (store: string, dropped: DroppedRecords) => () => unknown,
  ): KTable<K, VA> {
    const { name, stream } = this.input(op, options);
    const store = options.storeName ?? `${name}-store`;
    const keySerde = options.keySerde ?? this.keySerde;
    const dropped = new DroppedRecords();
    const factory = timestampedKeyValueStoreFactory<K, VA>(store, options, keySerde, valueSerde);
    const node = new StatefulProcessorNode(name, [stream.node], supplier(store, dropped) as never, [factory]);
    stream.graphBuilder.addNode(node);
    return new KTable<K, VA>(stream, node, keySerde, valueSerde, store, dropped);
  }
}

function requireFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TopologyError(`${op}: expected a function, got ${fn === null ? 'null' : typeof fn}`);
}
