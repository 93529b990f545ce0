/**
 * TimeWindowedKStream: a grouped stream windowed by {@link TimeWindows} (tumbling, hopping) or
 * {@link SlidingWindows}, ready to aggregate per key and window. Results are a `KTable<Windowed<K>, V>`
 * in a window store (retention: window size + grace, or `Materialized.retention`; at least that).
 * Late records (their windows closed: stream time >= end + grace) are dropped and counted, or given to
 * `lateRecordHandler`; `emitStrategy: 'onWindowClose'` forwards one final result per window (also on
 * stream-time punctuation, for idle-aware closing) and keeps how far it emitted in a second store,
 * `<store>-emit-time` (logged like the window store), so a restart does not emit a window twice.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Serdes } from '../core/serde/serdes.ts';
import { toMillis } from '../core/time/duration.ts';
import { DroppedRecords } from './dropped-records.ts';
import type { EmitStrategy } from './emit-strategy.ts';
import type { GraphNode } from './graph/graph-node.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import { StatefulProcessorNode } from './graph/stateful-processor-node.ts';
import { StreamSinkNode } from './graph/stream-sink-node.ts';
import type { KGroupedStream } from './k-grouped-stream.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import type { Reducer } from './k-stream-reduce.ts';
import { kStreamSlidingWindowAggregate } from './k-stream-sliding-window-aggregate.ts';
import { kStreamWindowAggregate, type WindowAggregateSettings } from './k-stream-window-aggregate.ts';
import { KTable } from './k-table.ts';
import { kLateRecordRouter, lateRecordRouterName, type LateRecordHandler } from './late-records.ts';
import type { Materialized, NamedOperation } from './materialized.ts';
import type { SlidingWindows } from './sliding-windows.ts';
import { emitTimeStoreFactory, windowStoreFactory } from './store-factories.ts';
import { emitTimeStoreName } from './window-emit-progress.ts';
import type { Windowed } from './store-views.ts';
import type { TimeWindows } from './time-windows.ts';
import { WindowedSerdes } from './windowed-serdes.ts';

/** Options of `windowedBy`. */
export interface WindowedByOptions<K, V> {
  /** `'onWindowUpdate'` (default) or `'onWindowClose'`. */
  emitStrategy?: EmitStrategy;
  /** What happens to late records besides being counted: a function, or `{ deadLetterTopic }`. */
  lateRecordHandler?: LateRecordHandler<K, V>;
}

/** Options of a windowed aggregation: the processor's name and the window store. */
export type WindowedAggregateOptions<K, VA> = NamedOperation & Materialized<K, VA>;

const UNSET: unique symbol = Symbol('unset');

/** Where a windowed aggregation's results come from and how its table is described. */
interface WindowedSpec {
  readonly windowSizeMs: number;
  readonly graceMs: number;
  readonly defaultRetentionMs: number;
}

/**
 * @internal Adds the aggregation node (and, with a dead-letter topic, the late-record router and sink)
 * and returns its windowed table.
 */
export function addWindowedAggregation<K, V, VA>(
  grouped: KGroupedStream<K, V>,
  op: string,
  options: WindowedAggregateOptions<K, VA>,
  by: WindowedByOptions<K, V>,
  valueSerde: Serde<VA> | undefined,
  windowedKeySerde: (inner: Serde<K>) => Serde<Windowed<K>>,
  storeFor: (store: string, keySerde: Serde<K> | undefined) => import('./graph/stateful-processor-node.ts').StoreFactory,
  supplier: (settings: WindowAggregateSettings<K, V>) => () => unknown,
  spec: Pick<WindowedSpec, 'graceMs'> & { readonly persistEmitTime?: boolean },
): KTable<Windowed<K>, VA> {
  const { name, stream } = grouped.input(op, options);
  const storeName = options.storeName ?? `${name}-store`;
  const keySerde = options.keySerde ?? grouped.keySerde;
  const dropped = new DroppedRecords();
  const emitStrategy = by.emitStrategy ?? 'onWindowUpdate';
  if (emitStrategy !== 'onWindowUpdate' && emitStrategy !== 'onWindowClose') {
    throw new TopologyError(`windowedBy: unknown emitStrategy "${String(emitStrategy)}" (use 'onWindowUpdate' or 'onWindowClose')`);
  }
  const emitTimeStore = emitStrategy === 'onWindowClose' && spec.persistEmitTime === true ? emitTimeStoreName(storeName) : undefined;
  const settings: WindowAggregateSettings<K, V> = {
    storeName,
    emitStrategy,
    dropped,
    lateRecordHandler: by.lateRecordHandler,
    lateRouterName: lateRecordRouterName(name),
    ...(emitTimeStore === undefined ? {} : { emitTimeStoreName: emitTimeStore }),
  };
  const stores = [storeFor(storeName, keySerde)];
  if (emitTimeStore !== undefined) stores.push(emitTimeStoreFactory(emitTimeStore, options as Materialized<unknown, unknown>));
  const node = new StatefulProcessorNode(name, [stream.node], supplier(settings) as never, stores);
  const builder = stream.graphBuilder;
  builder.addNode(node);
  const handler = by.lateRecordHandler;
  if (handler !== undefined && typeof handler !== 'function') {
    if (typeof handler.deadLetterTopic !== 'string' || handler.deadLetterTopic.length === 0) {
      throw new TopologyError('lateRecordHandler: deadLetterTopic must be a non-empty topic name');
    }
    const router: GraphNode = new ProcessorGraphNode(settings.lateRouterName, [node], kLateRecordRouter());
    builder.addNode(router);
    builder.addNode(new StreamSinkNode(`${settings.lateRouterName}-sink`, router, handler.deadLetterTopic, grouped.keySerde as never, grouped.valueSerde as never, undefined));
  }
  const tableKeySerde = keySerde === undefined ? undefined : windowedKeySerde(keySerde);
  return new KTable<Windowed<K>, VA>(stream, node, tableKeySerde, valueSerde, storeName, dropped, { graceMs: spec.graceMs });
}

/**
 * A time- or sliding-windowed grouped stream.
 *
 * @example
 * stream.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace('5m', '1m')).count({ storeName: 'counts-5m' });
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
    private readonly by: WindowedByOptions<K, V>,
  ) {}

  /**
   * The same windowed stream with another emit strategy (Kafka's `emitStrategy(...)`).
   *
   * @example
   * windowed.emitStrategy('onWindowClose').count();
   */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStream(this.grouped, this.windows, { ...this.by, emitStrategy: strategy });
  }

  /**
   * The number of records per key and window.
   *
   * @example
   * pageViews.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace('1m')).count();
   */
  count(options: WindowedAggregateOptions<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build<number>('count', options, options.valueSerde ?? Serdes.int64(), () => 0, (_k, _v, n) => n + 1);
  }

  /**
   * The values of each key and window combined with `reducer` (the first value taken as it is).
   *
   * @example
   * latencies.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace('1m')).reduce((a, b) => Math.max(a, b));
   */
  reduce(reducer: Reducer<V>, options: WindowedAggregateOptions<K, V> = {}): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce: expected a function');
    const init = (): V => UNSET as unknown as V;
    return this.build<V>('reduce', options, options.valueSerde ?? this.grouped.valueSerde, init, (_k, v, agg) =>
      (agg as unknown) === UNSET ? v : reducer(agg, v),
    );
  }

  /**
   * An aggregate per key and window, from `initializer()` folding values in with `aggregator`.
   *
   * @example
   * events.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace('1m')).aggregate(() => 0, (_k, e, sum) => sum + e.bytes, { valueSerde: Serdes.int64() });
   */
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, options: WindowedAggregateOptions<K, VA> = {}): KTable<Windowed<K>, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') throw new TopologyError('aggregate: expected an initializer and an aggregator function');
    return this.build<VA>('aggregate', options, options.valueSerde, initializer, aggregator);
  }

  private build<VA>(op: string, options: WindowedAggregateOptions<K, VA>, valueSerde: Serde<VA> | undefined, initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>): KTable<Windowed<K>, VA> {
    const w = this.windows;
    const sizeMs = w.kind === 'time' ? w.sizeMs : w.timeDifferenceMs;
    const minimumRetention = w.kind === 'time' ? w.sizeMs + w.graceMs : 2 * w.timeDifferenceMs + w.graceMs;
    const retentionMs = options.retention === undefined ? minimumRetention : toMillis(options.retention, 'retention');
    if (retentionMs < minimumRetention) {
      throw new TopologyError(`The retention of a windowed store (${retentionMs} ms) must be at least window size + grace (${minimumRetention} ms)`);
    }
    return addWindowedAggregation<K, V, VA>(
      this.grouped,
      op,
      options,
      this.by,
      valueSerde,
      (inner) => WindowedSerdes.timeWindowed(inner, sizeMs),
      (store, keySerde) => windowStoreFactory<K, VA>(store, options, keySerde, valueSerde, retentionMs, sizeMs),
      (settings) =>
        w.kind === 'time'
          ? kStreamWindowAggregate<K, V, VA>(w, initializer, aggregator, settings)
          : kStreamSlidingWindowAggregate<K, V, VA>(w, initializer, aggregator, settings),
      { graceMs: w.graceMs, persistEmitTime: true },
    );
  }
}
