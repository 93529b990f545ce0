/**
 * `npm start`: the log router on the embedded log. Generated raw log lines (JSON, logfmt, access log,
 * plain text, about 3% malformed) are parsed into typed events, routed to `logs.<level>` topics and to
 * `logs.by-service` keyed by service; malformed lines go to `logs.dead-letter` with headers naming the
 * error, source topic, partition and offset. Prints progress while it runs and a summary at the end.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runLogRouter } from './run-log-router.ts';

const lines = Number(process.env.LINES ?? 200_000);
const dir = process.env.TRIBUTARY_DATA ?? join(process.cwd(), '.tributary-data', 'log-router');
rmSync(dir, { recursive: true, force: true });

console.log(`log router on the embedded log in ${relative(process.cwd(), dir) || '.'}: ${lines.toLocaleString('en-US')} generated lines`);
const report = await runLogRouter({
  dir: join(dir, 'log'),
  stateDir: join(dir, 'state'),
  lines,
  onProgress: (m, produced) => {
    process.stdout.write(
      `  produced ${produced.toLocaleString('en-US').padStart(9)}  processed ${m.recordsProcessed.toLocaleString('en-US').padStart(9)}  (${Math.round(m.recordsPerSec).toLocaleString('en-US')} records/s)\n`,
    );
  },
});

console.log(`\nrouted ${report.lines.toLocaleString('en-US')} lines in ${(report.elapsedMs / 1000).toFixed(2)} s:`);
for (const [topic, count] of report.topics) console.log(`  ${topic.padEnd(18)} ${count.toLocaleString('en-US').padStart(9)}`);
if (report.sampleError !== null) console.log(`\na routed error event (logs.error):\n  ${report.sampleError}`);
console.log('\nfirst dead letters (logs.dead-letter) with the headers the runtime added:');
for (const d of report.deadLetters) {
  console.log(`  ${JSON.stringify(d.value)}`);
  for (const [k, v] of Object.entries(d.headers)) console.log(`      ${k}: ${v}`);
}
