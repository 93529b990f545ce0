/**
 * The per-window aggregate of one service endpoint ({@link EndpointAggregate}) with its binary serde,
 * and the final result emitted once per closed window ({@link WindowMetrics}).
 *
 * Aggregate bytes (big-endian): count u32, errors u32, min f64, max f64, sum f64, bucket count u16, then
 * per bucket: index u16, count u32. A 1-minute window of a busy endpoint stays under ~2 KiB.
 */
import type { Serde } from '../../core/serde/serde.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { bucketOf, quantile } from './latency-histogram.ts';
import { isError, type MetricEvent } from './metric-event.ts';

/** Running aggregate of a window. */
export interface EndpointAggregate {
  count: number;
  errors: number;
  minMs: number;
  maxMs: number;
  sumMs: number;
  /** Latency histogram: bucket -> count. */
  readonly buckets: Map<number, number>;
}

/** The final metrics of one endpoint in one window. */
export interface WindowMetrics {
  readonly service: string;
  readonly endpoint: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly count: number;
  /** errors / count. */
  readonly errorRate: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/** The topic of the final window results (keyed by `<service> <endpoint>`). */
export const WINDOW_METRICS_TOPIC = 'endpoint-metrics-1m';

/** An empty aggregate (the initializer). */
export function emptyAggregate(): EndpointAggregate {
  return { count: 0, errors: 0, minMs: Infinity, maxMs: -Infinity, sumMs: 0, buckets: new Map() };
}

/** Adds an event to an aggregate (in place) and returns it. */
export function addEvent(agg: EndpointAggregate, event: MetricEvent): EndpointAggregate {
  const l = event.latencyMs;
  agg.count++;
  if (isError(event)) agg.errors++;
  if (l < agg.minMs) agg.minMs = l;
  if (l > agg.maxMs) agg.maxMs = l;
  agg.sumMs += l;
  const b = bucketOf(l);
  agg.buckets.set(b, (agg.buckets.get(b) ?? 0) + 1);
  return agg;
}

/** The final metrics of an aggregate. */
export function toWindowMetrics(key: string, window: { start: number; end: number }, agg: EndpointAggregate): WindowMetrics {
  const i = key.indexOf(' ');
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    service: key.slice(0, i),
    endpoint: key.slice(i + 1),
    windowStart: window.start,
    windowEnd: window.end,
    count: agg.count,
    errorRate: agg.count === 0 ? 0 : agg.errors / agg.count,
    minMs: agg.minMs,
    maxMs: agg.maxMs,
    meanMs: round(agg.count === 0 ? 0 : agg.sumMs / agg.count),
    p50Ms: round(quantile(agg.buckets, agg.count, 0.5, agg.minMs, agg.maxMs)),
    p95Ms: round(quantile(agg.buckets, agg.count, 0.95, agg.minMs, agg.maxMs)),
    p99Ms: round(quantile(agg.buckets, agg.count, 0.99, agg.minMs, agg.maxMs)),
  };
}

/** Binary serde of {@link EndpointAggregate}. */
export const endpointAggregateSerde: Serde<EndpointAggregate> = {
  name: 'endpoint-aggregate',
  serialize(_topic: string, agg: EndpointAggregate | null): Buffer | null {
    if (agg === null) return null;
    const buf = Buffer.allocUnsafe(34 + agg.buckets.size * 6);
    buf.writeUInt32BE(agg.count, 0);
    buf.writeUInt32BE(agg.errors, 4);
    buf.writeDoubleBE(agg.minMs, 8);
    buf.writeDoubleBE(agg.maxMs, 16);
    buf.writeDoubleBE(agg.sumMs, 24);
    buf.writeUInt16BE(agg.buckets.size, 32);
    let p = 34;
    for (const [b, n] of agg.buckets) {
      buf.writeUInt16BE(b, p);
      buf.writeUInt32BE(n, p + 2);
      p += 6;
    }
    return buf;
  },
  deserialize(_topic: string, buf: Buffer | null): EndpointAggregate | null {
    if (buf === null) return null;
    const buckets = new Map<number, number>();
    const n = buf.readUInt16BE(32);
    for (let i = 0, p = 34; i < n; i++, p += 6) buckets.set(buf.readUInt16BE(p), buf.readUInt32BE(p + 2));
    return { count: buf.readUInt32BE(0), errors: buf.readUInt32BE(4), minMs: buf.readDoubleBE(8), maxMs: buf.readDoubleBE(16), sumMs: buf.readDoubleBE(24), buckets };
  },
};

/** JSON serde of the final results. */
export const windowMetricsSerde: Serde<WindowMetrics> = Serdes.json<WindowMetrics>();
