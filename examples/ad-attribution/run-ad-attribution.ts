/**
 * Runs ad attribution on an embedded log as live traffic: the generated events are produced in time
 * order, one batch (default 200 events, about 80 s of event time) at a time, each batch once the
 * application has committed the previous one, so the disorder between the join's inputs stays within
 * the join's grace, as with live traffic. At the end one
 * "end of traffic" impression per partition, an hour later, moves every task's stream time past the
 * last windows, which releases the last unattributed clicks. Returns what the output topic holds.
 */
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import type { Admin } from '../../core/clients/log-client.ts';
import { partitionForKey } from '../../core/clients/partitioner.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { ATTRIBUTIONS_TOPIC, CLICKS_TOPIC, IMPRESSIONS_TOPIC, adAttributionTopology, attributionKey, type Attribution } from './ad-attribution-topology.ts';
import { generateAdEvents, type AdEvent } from './ad-event-generator.ts';

/** The application id (and consumer group). */
export const APPLICATION_ID = 'ad-attribution';

/** Options of {@link runAdAttribution}. */
export interface RunAdAttributionOptions {
  /** Embedded log directory. */
  readonly dir: string;
  readonly stateDir: string;
  readonly events: number;
  readonly partitions?: number;
  readonly batch?: number;
  readonly kind?: 'lmdb' | 'memory';
}

/** What a run produced. */
export interface AdAttributionReport {
  readonly events: readonly AdEvent[];
  readonly attributions: { key: string; value: Attribution; timestamp: number }[];
  readonly elapsedMs: number;
}

async function waitCommitted(admin: Admin, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const end = await admin.fetchTopicOffsets(topic);
    for (;;) {
      const [committed] = await admin.fetchOffsets({ groupId: APPLICATION_ID, topics: [topic] });
      const at = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
      if (end.every((p) => p.high === '0' || at.get(p.partition) === p.high)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** One `<user>/<ad>` key per partition, for the end-of-traffic impressions. */
function keyPerPartition(partitions: number): { userId: string; adId: string }[] {
  const out = new Map<number, { userId: string; adId: string }>();
  for (let i = 0; out.size < partitions; i++) {
    const p = partitionForKey(Buffer.from(attributionKey('end', `m${i}`)), partitions);
    if (!out.has(p)) out.set(p, { userId: 'end', adId: `m${i}` });
  }
  return [...out.values()];
}

/** Runs the attribution over `events` generated events. */
export async function runAdAttribution(options: RunAdAttributionOptions): Promise<AdAttributionReport> {
  const started = Date.now();
  const partitions = options.partitions ?? 2;
  const batch = options.batch ?? 200;
  const events = generateAdEvents(options.events);
  const log = await EmbeddedLog.open({ dir: options.dir });
  try {
    const admin = log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [IMPRESSIONS_TOPIC, CLICKS_TOPIC, ATTRIBUTIONS_TOPIC].map((topic) => ({ topic, numPartitions: partitions })) });
    const producer = log.producer();
    await producer.connect();
    const app = new TributaryStreams(adAttributionTopology({ kind: options.kind ?? 'lmdb' }), {
      applicationId: APPLICATION_ID,
      log: { client: log },
      stateDir: options.stateDir,
      commitIntervalMs: 20,
    });
    await app.start();

    const send = async (list: readonly AdEvent[]): Promise<void> => {
      const message = (e: AdEvent) => ({ key: e.value.userId, value: JSON.stringify(e.value), timestamp: String(e.timestamp) });
      const impressions = list.filter((e) => e.kind === 'impression').map(message);
      const clicks = list.filter((e) => e.kind === 'click').map(message);
      if (impressions.length > 0) await producer.send({ topic: IMPRESSIONS_TOPIC, messages: impressions });
      if (clicks.length > 0) await producer.send({ topic: CLICKS_TOPIC, messages: clicks });
      await waitCommitted(admin, [IMPRESSIONS_TOPIC, CLICKS_TOPIC]);
    };
    for (let i = 0; i < events.length; i += batch) await send(events.slice(i, i + batch));
    const endOfTraffic = (events.at(-1)?.timestamp ?? 0) + 3_600_000;
    await send(keyPerPartition(partitions).map(({ userId, adId }) => ({ kind: 'impression', value: { impressionId: 'end', userId, adId, campaign: 'none' }, timestamp: endOfTraffic })));
    const repartition = (await admin.listTopics()).filter((t) => t.startsWith(`${APPLICATION_ID}-`) && t.endsWith('-repartition'));
    await waitCommitted(admin, repartition);
    await app.close();
    await producer.disconnect();

    const attributions: AdAttributionReport['attributions'] = [];
    for (const p of await admin.fetchTopicOffsets(ATTRIBUTIONS_TOPIC)) {
      for (let offset = 0; offset < Number(p.high); ) {
        const [fetched] = await log.fetch([{ topic: ATTRIBUTIONS_TOPIC, partition: p.partition, offset, maxBytes: 1 << 24 }], { maxWaitMs: 0 });
        if (fetched!.records.length === 0) break;
        for (const r of fetched!.records) attributions.push({ key: r.key!.toString(), value: JSON.parse(r.value!.toString()) as Attribution, timestamp: r.timestamp });
        offset = fetched!.records[fetched!.records.length - 1]!.offset + 1;
      }
    }
    await admin.disconnect();
    return { events, attributions, elapsedMs: Date.now() - started };
  } finally {
    await log.close();
  }
}
