/**
 * `npx tsx examples/ad-attribution/main.ts`: clicks attributed to the impressions of the 10 minutes
 * before them (a stream-stream left join) on the embedded log; unattributed clicks come out once their
 * window has closed. Prints a few attributions and the totals per campaign.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runAdAttribution } from './run-ad-attribution.ts';

const events = Number(process.env.EVENTS ?? 50_000);
const dir = process.env.TRIBUTARY_DATA ?? join(process.cwd(), '.tributary-data', 'ad-attribution');
rmSync(dir, { recursive: true, force: true });

console.log(`attributing ${events.toLocaleString('en-US')} generated ad events on the embedded log in ${relative(process.cwd(), dir) || '.'}`);
const report = await runAdAttribution({ dir: join(dir, 'log'), stateDir: join(dir, 'state'), events });
const clicks = report.events.filter((e) => e.kind === 'click').length;
const unattributed = report.attributions.filter((a) => a.value.impressionId === null);
console.log(`\n${clicks.toLocaleString('en-US')} clicks -> ${report.attributions.length.toLocaleString('en-US')} attribution records in ${(report.elapsedMs / 1000).toFixed(2)} s`);
console.log(`  credited to an impression: ${(report.attributions.length - unattributed.length).toLocaleString('en-US')}`);
console.log(`  unattributed (emitted after their window closed): ${unattributed.length.toLocaleString('en-US')}`);
console.log('\nfirst records:');
for (const a of report.attributions.slice(0, 5)) console.log(`  ${a.key.padEnd(14)} ${new Date(a.timestamp).toISOString()}  ${JSON.stringify(a.value)}`);
const byCampaign = new Map<string, number>();
for (const a of report.attributions) byCampaign.set(a.value.campaign ?? '(unattributed)', (byCampaign.get(a.value.campaign ?? '(unattributed)') ?? 0) + 1);
console.log('\nattribution records per campaign:');
for (const [campaign, n] of [...byCampaign].sort((a, b) => b[1] - a[1])) console.log(`  ${campaign.padEnd(16)} ${n.toLocaleString('en-US').padStart(7)}`);
