/**
 * Service metrics per endpoint over 1-minute tumbling windows: events keyed by `<service> <endpoint>`
 * (see {@link metricKey}) are grouped by that key (no repartition), aggregated per window (count, errors, min, max, sum and a
 * latency histogram) in the window store `endpoint-metrics-1m`, and emitted ONCE per window when it
 * closes (`suppress(untilWindowCloses)`: stream time past window end + grace) as {@link WindowMetrics}
 * with the error rate, mean and p50/p95/p99 latency.
 */
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { TimeWindows } from '../../operators/time-windows.ts';
import { Suppressed } from '../../operators/suppressed.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { EVENTS_TOPIC, metricEventSerde, type MetricEvent } from './metric-event.ts';
import { addEvent, emptyAggregate, endpointAggregateSerde, toWindowMetrics, WINDOW_METRICS_TOPIC, windowMetricsSerde } from './window-metrics.ts';

/**
 * The key events are produced with: `<service> <endpoint>`, the aggregation key. Producing with it (rather
 * than regrouping by it, which would repartition) keeps each endpoint's events in production order in
 * one partition: after a repartition, the records of several upstream tasks interleave in arrival
 * order, and a task running ahead would make the others' events late (dropped past the grace period).
 */
export function metricKey(event: MetricEvent): string {
  return `${event.service} ${event.endpoint}`;
}

/** The window store (queryable: `app.store('endpoint-metrics-1m', 'window')`). */
export const METRICS_STORE = 'endpoint-metrics-1m';
/** Window size. */
export const WINDOW_MS = 60_000;
/** How late (in event time) an event may arrive and still count in its window. */
export const GRACE_MS = 5_000;

/** Options of {@link metricsTopology}. */
export interface MetricsTopologyOptions {
  readonly kind?: 'lmdb' | 'memory';
}

/**
 * The metrics aggregation topology.
 * @example
 * const app = new TributaryStreams(metricsTopology(), { applicationId: 'metrics', log: { embedded: { dir: './data' } } });
 */
export function metricsTopology(options: MetricsTopologyOptions = {}): PhysicalTopology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, MetricEvent>(EVENTS_TOPIC, {
      keySerde: Serdes.string(),
      valueSerde: metricEventSerde,
      timestampExtractor: (record) => (record.value as MetricEvent).timestamp,
    })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
    .aggregate(emptyAggregate, (_key, event, agg) => addEvent(agg, event), {
      storeName: METRICS_STORE,
      valueSerde: endpointAggregateSerde,
      kind: options.kind ?? 'lmdb',
    })
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map((windowed, agg) => [windowed.key, toWindowMetrics(windowed.key, windowed.window, agg)] as const)
    .to(WINDOW_METRICS_TOPIC, { keySerde: Serdes.string(), valueSerde: windowMetricsSerde });
  return builder.build();
}
