/**
 * `npm start`: service metrics aggregated per service and endpoint over 1-minute tumbling windows on the
 * embedded log. A generator produces request events (service, endpoint, latency, status) while the
 * pipeline runs; each closed window is emitted once (suppress untilWindowCloses) to
 * `endpoint-metrics-1m` with count, error rate, min, max, mean and p50/p95/p99 latency. Prints progress,
 * then a few final windows as a table.
 *
 * EVENTS (default 300000) sets the number of events; TRIBUTARY_DATA the data directory.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runMetricsAggregation } from './run-metrics-aggregation.ts';
import type { WindowMetrics } from './window-metrics.ts';

const events = Number(process.env.EVENTS ?? 300_000);
const dir = process.env.TRIBUTARY_DATA ?? join(process.cwd(), '.tributary-data', 'metrics-aggregation');
rmSync(dir, { recursive: true, force: true });
const fmt = (n: number): string => n.toLocaleString('en-US');

console.log(`metrics aggregation on the embedded log in ${relative(process.cwd(), dir) || '.'}: ${fmt(events)} generated events (1,000 per second of event time)`);
const report = await runMetricsAggregation({
  dir: join(dir, 'log'),
  stateDir: join(dir, 'state'),
  events,
  onProgress: (m, produced) => {
    process.stdout.write(`  produced ${fmt(produced).padStart(9)}  processed ${fmt(m.recordsProcessed).padStart(9)}  (${fmt(Math.round(m.recordsPerSec))} records/s)\n`);
  },
});

console.log(`\n${fmt(report.events)} events in ${(report.elapsedMs / 1000).toFixed(2)} s -> ${fmt(report.windows.length)} closed endpoint windows`);
const last = [...report.windows].sort((a, b) => b.windowStart - a.windowStart || a.service.localeCompare(b.service) || a.endpoint.localeCompare(b.endpoint));
const shown = last.slice(0, 8).reverse();
const row = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 9 : 14) : c.padStart(8))).join(' ');
console.log(`\n${row(['service', 'endpoint', 'window', 'count', 'errors', 'min', 'mean', 'p50', 'p95', 'p99', 'max'])}`);
for (const w of shown as WindowMetrics[]) {
  const time = new Date(w.windowStart).toISOString().slice(11, 16);
  console.log(
    row([
      w.service,
      w.endpoint,
      time,
      fmt(w.count),
      `${(w.errorRate * 100).toFixed(1)}%`,
      w.minMs.toFixed(1),
      w.meanMs.toFixed(1),
      w.p50Ms.toFixed(1),
      w.p95Ms.toFixed(1),
      w.p99Ms.toFixed(1),
      w.maxMs.toFixed(1),
    ]),
  );
}
console.log('\n(latencies in ms; windows still open at the end are not emitted: they close when stream time passes their end + 5 s grace)');
