/**
 * Runs the page-view enrichment on an embedded log: creates the topics, loads the profiles, starts the
 * application and waits until it has read them, then produces the page views, waits until every view
 * went through the repartition and the join (committed), and returns the enriched views read back from
 * the output topic.
 */
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import type { Admin } from '../../core/clients/log-client.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { ENRICHED_TOPIC, PAGE_VIEWS_TOPIC, PROFILES_TOPIC, enrichPageViewsTopology, type EnrichedPageView } from './enrich-page-views-topology.ts';
import { generatePageViews, generateProfiles, type Keyed } from './page-view-generator.ts';

/** The application id (and consumer group). */
export const APPLICATION_ID = 'enrich-page-views';

/** Options of {@link runEnrichPageViews}. */
export interface RunEnrichPageViewsOptions {
  /** Embedded log directory. */
  readonly dir: string;
  readonly stateDir: string;
  readonly users: number;
  readonly views: number;
  readonly partitions?: number;
  readonly kind?: 'lmdb' | 'memory';
}

/** What a run produced. */
export interface EnrichPageViewsReport {
  /** The enriched views, per output partition in offset order. */
  readonly enriched: Keyed<EnrichedPageView>[];
  readonly elapsedMs: number;
  readonly viewsPerSec: number;
}

/** Waits until the group has committed the end of every partition of `topics`. */
export async function waitCommitted(admin: Admin, groupId: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const end = await admin.fetchTopicOffsets(topic);
    for (;;) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
      if (end.every((p) => p.high === '0' || at.get(p.partition) === p.high)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Runs the enrichment over generated profiles and views. */
export async function runEnrichPageViews(options: RunEnrichPageViewsOptions): Promise<EnrichPageViewsReport> {
  const started = Date.now();
  const partitions = options.partitions ?? 2;
  const log = await EmbeddedLog.open({ dir: options.dir });
  try {
    const admin = log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [PAGE_VIEWS_TOPIC, PROFILES_TOPIC, ENRICHED_TOPIC].map((topic) => ({ topic, numPartitions: partitions })) });
    const producer = log.producer();
    await producer.connect();
    const send = async <V>(topic: string, records: readonly Keyed<V>[]): Promise<void> => {
      for (let i = 0; i < records.length; i += 2000) {
        const messages = records.slice(i, i + 2000).map((r) => ({ key: r.key, value: JSON.stringify(r.value), timestamp: String(r.timestamp) }));
        await producer.send({ topic, messages });
      }
    };

    await send(PROFILES_TOPIC, generateProfiles(options.users));
    const app = new TributaryStreams(enrichPageViewsTopology({ kind: options.kind ?? 'lmdb' }), {
      applicationId: APPLICATION_ID,
      log: { client: log },
      stateDir: options.stateDir,
      commitIntervalMs: 50,
    });
    await app.start();
    await waitCommitted(admin, APPLICATION_ID, [PROFILES_TOPIC]);

    const viewsStarted = Date.now();
    await send(PAGE_VIEWS_TOPIC, generatePageViews(options.views, options.users));
    await waitCommitted(admin, APPLICATION_ID, [PAGE_VIEWS_TOPIC]);
    const repartition = (await admin.listTopics()).filter((t) => t.startsWith(`${APPLICATION_ID}-`) && t.endsWith('-repartition'));
    await waitCommitted(admin, APPLICATION_ID, repartition);
    const viewsMs = Date.now() - viewsStarted;
    await app.close();
    await producer.disconnect();

    const enriched: Keyed<EnrichedPageView>[] = [];
    for (const p of await admin.fetchTopicOffsets(ENRICHED_TOPIC)) {
      for (let offset = 0; offset < Number(p.high); ) {
        const [fetched] = await log.fetch([{ topic: ENRICHED_TOPIC, partition: p.partition, offset, maxBytes: 1 << 24 }], { maxWaitMs: 0 });
        if (fetched!.records.length === 0) break;
        for (const r of fetched!.records) enriched.push({ key: r.key!.toString(), value: JSON.parse(r.value!.toString()) as EnrichedPageView, timestamp: r.timestamp });
        offset = fetched!.records[fetched!.records.length - 1]!.offset + 1;
      }
    }
    await admin.disconnect();
    return { enriched, elapsedMs: Date.now() - started, viewsPerSec: Math.round(options.views / Math.max(1, viewsMs / 1000)) };
  } finally {
    await log.close();
  }
}
