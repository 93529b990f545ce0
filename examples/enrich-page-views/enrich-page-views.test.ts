import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import {
  ENRICHED_TOPIC,
  PAGE_VIEWS_TOPIC,
  PROFILES_TOPIC,
  enrich,
  enrichPageViewsTopology,
  type EnrichedPageView,
  type PageView,
  type UserProfile,
} from './enrich-page-views-topology.ts';
import { generatePageViews, generateProfiles } from './page-view-generator.ts';
import { runEnrichPageViews } from './run-enrich-page-views.ts';

const str = Serdes.string();

describe('examples/enrich-page-views', () => {
  it('enriches views with the profile current at the time of the view (TopologyTestDriver)', () => {
    const driver = new TopologyTestDriver(enrichPageViewsTopology({ kind: 'memory' }));
    try {
      const profiles = driver.createInputTopic(PROFILES_TOPIC, str, Serdes.json<UserProfile>());
      const views = driver.createInputTopic(PAGE_VIEWS_TOPIC, str, Serdes.json<PageView>());
      const out = driver.createOutputTopic(ENRICHED_TOPIC, str, Serdes.json<EnrichedPageView>());
      profiles.pipeInput('u1', { name: 'ann', region: 'eu-west', tier: 'pro' }, 1);
      views.pipeInput('s1', { userId: 'u1', page: '/home', durationMs: 1200 }, 2);
      views.pipeInput('s2', { userId: 'u2', page: '/cart', durationMs: 300 }, 3); // no profile yet
      profiles.pipeInput('u1', { name: 'ann', region: 'us-east', tier: 'pro' }, 4); // emits nothing by itself
      expect(out.getQueueSize()).toBe(2);
      views.pipeInput('s1', { userId: 'u1', page: '/search', durationMs: 800 }, 5);
      profiles.pipeInput('u1', null, 6); // deleted
      views.pipeInput('s1', { userId: 'u1', page: '/bye', durationMs: 10 }, 7);
      expect(out.readRecordsToList().map((r) => [r.key, r.value!.page, r.value!.region, r.value!.name, r.timestamp])).toEqual([
        ['u1', '/home', 'eu-west', 'ann', 2],
        ['u2', '/cart', 'unknown', null, 3],
        ['u1', '/search', 'us-east', 'ann', 5],
        ['u1', '/bye', 'unknown', null, 7],
      ]);
    } finally {
      driver.close();
    }
  });

  it('runs end to end on the embedded log with 2 partitions: every view enriched exactly once', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-enrich-'));
    try {
      const users = 200;
      const views = 3000;
      const report = await runEnrichPageViews({ dir: join(base, 'log'), stateDir: join(base, 'state'), users, views, partitions: 2 });
      const profiles = new Map(generateProfiles(users).map((p) => [p.key, p.value]));
      const expected = generatePageViews(views, users).map((v) => enrich(v.value, profiles.get(v.value.userId) ?? null));
      const sortKey = (v: EnrichedPageView): string => JSON.stringify(v);
      expect(report.enriched.map((r) => sortKey(r.value)).sort()).toEqual(expected.map(sortKey).sort());
      expect(report.enriched.every((r) => r.key === r.value.userId)).toBe(true);
      expect(report.enriched.filter((r) => r.value.region === 'unknown').length).toBeGreaterThan(0);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
