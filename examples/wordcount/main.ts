/**
 * Word count on the embedded log: a few lines of text in, the count of every word out (topic
 * `word-counts`, store `word-counts`). Run with `npx tsx examples/wordcount/main.ts`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runWordcount } from './run-wordcount.ts';

const dir = process.env.TRIBUTARY_DATA ?? join(process.cwd(), '.tributary-data', 'wordcount');
rmSync(dir, { recursive: true, force: true });
const lines = [
  'all streams flow to the sea',
  'the sea is not full',
  'a stream is a table in motion, a table is a stream at rest',
];
const report = await runWordcount({ dir: join(dir, 'log'), stateDir: join(dir, 'state'), lines });
console.log(`counted ${lines.length} lines in ${report.elapsedMs} ms:`);
for (const [word, count] of [...report.store].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
  console.log(`  ${word.padEnd(8)} ${String(count).padStart(3)}`);
}
