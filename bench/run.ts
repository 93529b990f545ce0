/**
 * `npm run bench -- <name>` runs bench/<name>.ts. Each benchmark prints a table and, as its last line,
 * one JSON object with its figures. Benchmarks are never run as tests.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(name === undefined ? 0 : 2);
}
await import(pathToFileURL(join(dir, `${name}.ts`)).href);
