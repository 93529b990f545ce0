/**
 * SessionWindowedKStream: a grouped stream windowed by {@link SessionWindows}, ready to aggregate per
 * key and session. Sessions merge when a record bridges them; the merged sessions' rows are deleted
 * downstream (tombstones) before the merged session's aggregate. Aggregations need a merger (count and
 * reduce bring their own). Results are a `KTable<Windowed<K>, V>` in a session store (retention: gap +
 * grace, or `Materialized.retention`; with `onWindowClose` at least gap + grace + 1 ms, so a session is
 * still in the store when it closes). With `onWindowClose` the close time of the last emission is kept in
 * `<store>-emit-time` (changelogged), so a restart neither loses nor re-emits final sessions. Suppressing
 * the table until windows close waits for gap + grace after a session's end, as in Kafka Streams.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Serdes } from '../core/serde/serdes.ts';
import { toMillis } from '../core/time/duration.ts';
import type { EmitStrategy } from './emit-strategy.ts';
import type { KGroupedStream } from './k-grouped-stream.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import type { Reducer } from './k-stream-reduce.ts';
import { kStreamSessionWindowAggregate, type Merger } from './k-stream-session-window-aggregate.ts';
import type { KTable } from './k-table.ts';
import type { SessionWindows } from './session-windows.ts';
import { sessionStoreFactory } from './store-factories.ts';
import type { Windowed } from './store-views.ts';
import { addWindowedAggregation, type WindowedAggregateOptions, type WindowedByOptions } from './time-windowed-k-stream.ts';
import { WindowedSerdes } from './windowed-serdes.ts';

/**
 * A session-windowed grouped stream.
 *
 * @example
 * clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m')).count();
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: SessionWindows,
    private readonly by: WindowedByOptions<K, V>,
  ) {}

  /** The same windowed stream with another emit strategy. */
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStream(this.grouped, this.windows, { ...this.by, emitStrategy: strategy });
  }

  /**
   * The number of records per key and session.
   *
   * @example
   * clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m')).count();
   */
  count(options: WindowedAggregateOptions<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build<number>('count', options, options.valueSerde ?? Serdes.int64(), () => 0, (_k, _v, n) => n + 1, (_k, a, b) => a + b);
  }

  /**
   * The values of each session combined with `reducer` (also used to merge sessions).
   *
   * @example
   * durations.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m')).reduce((a, b) => a + b);
   */
  reduce(reducer: Reducer<V>, options: WindowedAggregateOptions<K, V> = {}): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce: expected a function');
    const unset = null as unknown as V;
    return this.build<V>(
      'reduce',
      options,
      options.valueSerde ?? this.grouped.valueSerde,
      () => unset,
      (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
      (_k, a, b) => (a === null ? b : b === null ? a : reducer(a, b)),
    );
  }

  /**
   * An aggregate per key and session; `merger` combines the aggregates of sessions that merge.
   *
   * @example
   * clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m'))
   *   .aggregate(() => 0, (_k, _c, n) => n + 1, (_k, a, b) => a + b, { valueSerde: Serdes.int64() });
   */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    options: WindowedAggregateOptions<K, VA> = {},
  ): KTable<Windowed<K>, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function' || typeof merger !== 'function') {
      throw new TopologyError('aggregate: expected an initializer, an aggregator and a merger function');
    }
    return this.build<VA>('aggregate', options, options.valueSerde, initializer, aggregator, merger);
  }

  private build<VA>(
    op: string,
    options: WindowedAggregateOptions<K, VA>,
    valueSerde: Serde<VA> | undefined,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const w = this.windows;
    const minimumRetention = w.inactivityGapMs + w.graceMs;
    const requestedRetentionMs = options.retention === undefined ? minimumRetention : toMillis(options.retention, 'retention');
    if (requestedRetentionMs < minimumRetention) {
      throw new TopologyError(`The retention of a session store (${requestedRetentionMs} ms) must be at least gap + grace (${minimumRetention} ms)`);
    }
    // onWindowClose finds closed sessions in the store: a session ending at e closes when stream time passes
    // e + gap + grace, one ms after the store expires it at exactly gap + grace; one more ms keeps it for the close.
    const retentionMs = this.by.emitStrategy === 'onWindowClose' ? Math.max(requestedRetentionMs, minimumRetention + 1) : requestedRetentionMs;
    return addWindowedAggregation<K, V, VA>(
      this.grouped,
      op,
      options,
      this.by,
      valueSerde,
      (inner) => WindowedSerdes.sessionWindowed(inner),
      (store, keySerde) => sessionStoreFactory<K, VA>(store, options, keySerde, valueSerde, retentionMs),
      (settings) => kStreamSessionWindowAggregate<K, V, VA>(w, initializer, aggregator, merger, settings),
      { graceMs: w.graceMs + w.inactivityGapMs, persistEmitTime: true },
    );
  }
}
