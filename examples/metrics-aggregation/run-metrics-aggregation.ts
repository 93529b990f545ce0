/**
 * Runs the metrics aggregation on an embedded log: creates the topics, starts the application, produces
 * generated events (keyed by `<service> <endpoint>`) while it runs, waits until every event is processed and
 * committed, and returns the final window results read back from the output topic.
 */
import type { Admin } from '../../core/clients/log-client.ts';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import type { StreamsMetricsSnapshot } from '../../core/runtime/streams-metrics.ts';
import { EVENTS_TOPIC, type MetricEvent } from './metric-event.ts';
import { generateMetricEvents, type MetricsGeneratorOptions } from './metrics-generator.ts';
import { metricKey, metricsTopology } from './metrics-topology.ts';
import { WINDOW_METRICS_TOPIC, windowMetricsSerde, type WindowMetrics } from './window-metrics.ts';

/** The application id (also the consumer group and the prefix of internal topics). */
export const APPLICATION_ID = 'metrics-aggregation';

/** Options of {@link runMetricsAggregation}. */
export interface RunMetricsOptions {
  readonly dir: string;
  readonly stateDir: string;
  readonly events: number;
  readonly generator?: MetricsGeneratorOptions;
  readonly partitions?: number;
  readonly kind?: 'lmdb' | 'memory';
  /** Idle-aware closing (see StreamsConfig.idleAdvanceMs). */
  readonly idleAdvanceMs?: number;
  /** Called about twice a second while it runs. */
  readonly onProgress?: (snapshot: StreamsMetricsSnapshot, produced: number) => void;
}

/** What a run produced. */
export interface MetricsReport {
  readonly events: number;
  readonly elapsedMs: number;
  /** The final results, in the order they were written per partition. */
  readonly windows: readonly WindowMetrics[];
}

async function waitCommitted(admin: Admin, topic: string): Promise<void> {
  const end = await admin.fetchTopicOffsets(topic);
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId: APPLICATION_ID, topics: [topic] });
    const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
    if (end.every((p) => Number(p.high) === 0 || (at.get(p.partition) ?? -1) >= Number(p.high))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the pipeline over `events` generated events. */
export async function runMetricsAggregation(options: RunMetricsOptions): Promise<MetricsReport> {
  const started = Date.now();
  const partitions = options.partitions ?? 4;
  const log = await EmbeddedLog.open({ dir: options.dir });
  try {
    const admin = log.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = [EVENTS_TOPIC, WINDOW_METRICS_TOPIC].filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions: partitions }));
    if (topics.length > 0) await admin.createTopics({ topics });

    const app = new TributaryStreams(metricsTopology({ kind: options.kind ?? 'lmdb' }), {
      applicationId: APPLICATION_ID,
      log: { client: log },
      stateDir: options.stateDir,
      commitIntervalMs: 500,
      metricsIntervalMs: 500,
      maxBufferedRecordsPerPartition: 5000,
      ...(options.idleAdvanceMs === undefined ? {} : { idleAdvanceMs: options.idleAdvanceMs }),
    });
    await app.start();
    let produced = 0;
    const progress = options.onProgress === undefined ? null : app.metrics$.subscribe((m) => options.onProgress!(m, produced));
    try {
      const producer = log.producer();
      await producer.connect();
      let batch: MetricEvent[] = [];
      const flush = async (): Promise<void> => {
        await producer.send({
          topic: EVENTS_TOPIC,
          messages: batch.map((e) => ({ key: metricKey(e), value: JSON.stringify(e), timestamp: String(e.timestamp) })),
        });
        produced += batch.length;
        batch = [];
      };
      for (const event of generateMetricEvents(options.events, options.generator)) {
        batch.push(event);
        if (batch.length === 5000) await flush();
      }
      if (batch.length > 0) await flush();
      await producer.disconnect();

      await waitCommitted(admin, EVENTS_TOPIC);
      await app.commit();
    } finally {
      progress?.unsubscribe();
      await app.close();
    }

    const windows: WindowMetrics[] = [];
    for (const p of await admin.fetchTopicOffsets(WINDOW_METRICS_TOPIC)) {
      const [fetched] = await log.fetch([{ topic: WINDOW_METRICS_TOPIC, partition: p.partition, offset: 0, maxBytes: 1 << 28 }], { maxWaitMs: 0 });
      for (const r of fetched!.records) windows.push(windowMetricsSerde.deserialize(WINDOW_METRICS_TOPIC, r.value)!);
    }
    await admin.disconnect();
    return { events: options.events, elapsedMs: Date.now() - started, windows };
  } finally {
    await log.close();
  }
}
