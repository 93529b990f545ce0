import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { bucketOf, bucketValue, quantile } from './latency-histogram.ts';
import { EVENTS_TOPIC, metricEventSerde, type MetricEvent } from './metric-event.ts';
import { generateMetricEvents, recentStart } from './metrics-generator.ts';
import { GRACE_MS, metricKey, metricsTopology, WINDOW_MS } from './metrics-topology.ts';
import { runMetricsAggregation } from './run-metrics-aggregation.ts';
import { addEvent, emptyAggregate, endpointAggregateSerde, toWindowMetrics, WINDOW_METRICS_TOPIC, windowMetricsSerde, type WindowMetrics } from './window-metrics.ts';

/** The final result of every window, computed directly from the events (none is late: jitter < grace). */
function expectedWindows(events: readonly MetricEvent[]): Map<string, WindowMetrics> {
  const aggs = new Map<string, { key: string; start: number; agg: ReturnType<typeof emptyAggregate> }>();
  for (const e of events) {
    const key = `${e.service} ${e.endpoint}`;
    const start = e.timestamp - (e.timestamp % WINDOW_MS);
    const id = `${key}@${start}`;
    let entry = aggs.get(id);
    if (entry === undefined) aggs.set(id, (entry = { key, start, agg: emptyAggregate() }));
    addEvent(entry.agg, e);
  }
  const out = new Map<string, WindowMetrics>();
  for (const [id, { key, start, agg }] of aggs) out.set(id, toWindowMetrics(key, { start, end: start + WINDOW_MS }, agg));
  return out;
}

function idOf(w: WindowMetrics): string {
  return `${w.service} ${w.endpoint}@${w.windowStart}`;
}

describe('examples/metrics-aggregation', () => {
  it('latency percentiles from the histogram are within 1% of the exact ones', () => {
    const latencies = Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 5000) / 10);
    const buckets = new Map<number, number>();
    for (const l of latencies) buckets.set(bucketOf(l), (buckets.get(bucketOf(l)) ?? 0) + 1);
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const approx = quantile(buckets, latencies.length, q, sorted[0]!, sorted.at(-1)!);
      expect(Math.abs(approx - exact) / exact).toBeLessThan(0.01);
    }
    expect(bucketValue(0)).toBe(0.5);
  });

  it('round-trips the aggregate through its binary serde', () => {
    const agg = emptyAggregate();
    for (const e of generateMetricEvents(500)) addEvent(agg, e);
    const back = endpointAggregateSerde.deserialize('t', endpointAggregateSerde.serialize('t', agg))!;
    expect(back).toEqual(agg);
  });

  it('emits one final result per closed window through the TopologyTestDriver', () => {
    const driver = new TopologyTestDriver(metricsTopology({ kind: 'memory' }));
    const input = driver.createInputTopic(EVENTS_TOPIC, Serdes.string(), metricEventSerde);
    const output = driver.createOutputTopic(WINDOW_METRICS_TOPIC, Serdes.string(), windowMetricsSerde);
    const events = [...generateMetricEvents(5_000, { eventsPerSecond: 20, startMs: recentStart() })]; // ~250 s of event time
    for (const e of events) input.pipeInput(metricKey(e), e, e.timestamp);
    const results = output.readValuesToList() as WindowMetrics[];
    const expected = expectedWindows(events);
    const lastTime = Math.max(...events.map((e) => e.timestamp));
    const closed = [...expected.values()].filter((w) => w.windowEnd + GRACE_MS <= lastTime - 2000);
    expect(closed.length).toBeGreaterThan(20);
    const seen = new Set<string>();
    for (const w of results) {
      expect(seen.has(idOf(w)), `duplicate ${idOf(w)}`).toBe(false);
      seen.add(idOf(w));
      expect(w).toEqual(expected.get(idOf(w)));
    }
    for (const w of closed) expect(seen.has(idOf(w)), idOf(w)).toBe(true);
    // nothing is emitted before its window closed
    expect(results.every((w) => w.windowEnd + GRACE_MS <= lastTime)).toBe(true);
    driver.close();
  });

  for (const [n, eventsPerSecond] of [
    [20_000, 60], // ~5.5 minutes of event time at 60 events/s
    // 1,000 events/s (npm start's rate): many updates of a window wait in the cache between commits, so
    // a stream-time punctuation of the suppress buffer must flush that cache before closing windows.
    [200_000, 1000],
  ] as const) {
  it(`runs end to end on the embedded log: every closed window once, with the exact aggregates (${eventsPerSecond} events/s)`, async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-metrics-'));
    try {
      const generator = { eventsPerSecond, startMs: recentStart() };
      const report = await runMetricsAggregation({ dir: join(base, 'log'), stateDir: join(base, 'state'), events: n, generator, partitions: 2 });
      const events = [...generateMetricEvents(n, generator)];
      const expected = expectedWindows(events);
      const lastTime = events.reduce((max, e) => Math.max(max, e.timestamp), -Infinity);
      const seen = new Set<string>();
      for (const w of report.windows) {
        expect(seen.has(idOf(w)), `duplicate ${idOf(w)}`).toBe(false);
        seen.add(idOf(w));
        expect(w).toEqual(expected.get(idOf(w)));
      }
      const closed = [...expected.values()].filter((w) => w.windowEnd + GRACE_MS <= lastTime - 2000);
      expect(closed.length).toBeGreaterThan(15);
      for (const w of closed) expect(seen.has(idOf(w)), idOf(w)).toBe(true);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
  }
});
