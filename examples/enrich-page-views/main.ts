/**
 * `npx tsx examples/enrich-page-views/main.ts`: page views enriched with user profiles (a stream-table
 * left join) on the embedded log. Prints a few enriched views and the views per region.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runEnrichPageViews } from './run-enrich-page-views.ts';

const users = Number(process.env.USERS ?? 1_000);
const views = Number(process.env.VIEWS ?? 100_000);
const dir = process.env.TRIBUTARY_DATA ?? join(process.cwd(), '.tributary-data', 'enrich-page-views');
rmSync(dir, { recursive: true, force: true });

console.log(`enriching ${views.toLocaleString('en-US')} page views of ${users.toLocaleString('en-US')} users on the embedded log in ${relative(process.cwd(), dir) || '.'}`);
const report = await runEnrichPageViews({ dir: join(dir, 'log'), stateDir: join(dir, 'state'), users, views });
console.log(`\n${report.enriched.length.toLocaleString('en-US')} enriched views in ${(report.elapsedMs / 1000).toFixed(2)} s (${report.viewsPerSec.toLocaleString('en-US')} views/s through repartition and join)`);
console.log('\nfirst enriched views:');
for (const r of report.enriched.slice(0, 5)) console.log(`  ${r.key}  ${JSON.stringify(r.value)}`);
const byRegion = new Map<string, number>();
for (const r of report.enriched) byRegion.set(r.value.region, (byRegion.get(r.value.region) ?? 0) + 1);
console.log('\nviews per region:');
for (const [region, n] of [...byRegion].sort((a, b) => b[1] - a[1])) console.log(`  ${region.padEnd(10)} ${n.toLocaleString('en-US').padStart(8)}`);
