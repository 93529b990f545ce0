/**
 * Runs the log router on an embedded log: creates the topics, starts the application, feeds it
 * generated raw lines, waits until every line has been routed (or dead-lettered), and reports.
 */
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import type { StreamsMetricsSnapshot } from '../../core/runtime/streams-metrics.ts';
import { LEVEL_TOPICS } from './log-event.ts';
import { generateLogLines } from './log-generator.ts';
import { BY_SERVICE_TOPIC, DEAD_LETTER_TOPIC, logRouterTopology, RAW_TOPIC } from './log-router-topology.ts';

/** Options of {@link runLogRouter}. */
export interface RunLogRouterOptions {
  readonly dir: string;
  readonly stateDir: string;
  readonly lines: number;
  readonly seed?: number;
  readonly partitions?: number;
  /** Called about twice a second while the router runs. */
  readonly onProgress?: (snapshot: StreamsMetricsSnapshot, produced: number) => void;
}

/** What the run produced. */
export interface LogRouterReport {
  readonly lines: number;
  readonly elapsedMs: number;
  /** Records per output topic (level topics, the by-service topic, the dead-letter topic). */
  readonly topics: ReadonlyMap<string, number>;
  /** The first few dead letters with the headers the runtime added. */
  readonly deadLetters: readonly { value: string; headers: Readonly<Record<string, string>> }[];
  /** One routed error event, as JSON. */
  readonly sampleError: string | null;
}

async function endOffsets(log: EmbeddedLog, topic: string): Promise<number> {
  const admin = log.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Runs the router over `lines` generated lines and reports where they went. */
export async function runLogRouter(options: RunLogRouterOptions): Promise<LogRouterReport> {
  const partitions = options.partitions ?? 4;
  const log = await EmbeddedLog.open({ dir: options.dir });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [RAW_TOPIC, ...LEVEL_TOPICS, BY_SERVICE_TOPIC].map((topic) => ({ topic, numPartitions: partitions }))
      .concat([{ topic: DEAD_LETTER_TOPIC, numPartitions: 1 }]),
  });
  const app = new TributaryStreams(logRouterTopology(), {
    applicationId: 'log-router',
    log: { client: log },
    stateDir: options.stateDir,
    commitIntervalMs: 1000,
    metricsIntervalMs: 500,
    deserializationErrorHandler: { deadLetterTopic: DEAD_LETTER_TOPIC },
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
  });
  let produced = 0;
  const progress = app.metrics$.subscribe((snapshot) => options.onProgress?.(snapshot, produced));
  const started = performance.now();
  await app.start();

  const producer = log.producer();
  await producer.connect();
  let batch: { key: null; value: string }[] = [];
  for (const line of generateLogLines({ count: options.lines, seed: options.seed ?? 42 })) {
    batch.push({ key: null, value: line });
    if (batch.length === 1000) {
      await producer.send({ topic: RAW_TOPIC, messages: batch });
      produced += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await producer.send({ topic: RAW_TOPIC, messages: batch });
  produced += batch.length;

  // Every line lands in exactly one level topic or in the dead-letter topic.
  for (;;) {
    let routed = await endOffsets(log, DEAD_LETTER_TOPIC);
    for (const topic of LEVEL_TOPICS) routed += await endOffsets(log, topic);
    if (routed >= options.lines) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsedMs = performance.now() - started;
  await app.close();
  progress.unsubscribe();

  const topics = new Map<string, number>();
  for (const topic of [...LEVEL_TOPICS, BY_SERVICE_TOPIC, DEAD_LETTER_TOPIC]) topics.set(topic, await endOffsets(log, topic));
  const [dead] = await log.fetch([{ topic: DEAD_LETTER_TOPIC, partition: 0, offset: 0, maxBytes: 64 * 1024 }], { maxWaitMs: 0 });
  const deadLetters = (dead?.records ?? []).slice(0, 3).map((r) => ({
    value: r.value?.toString('utf8') ?? '',
    headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? ''])),
  }));
  let sampleError: string | null = null;
  for (let p = 0; p < partitions && sampleError === null; p++) {
    const [errors] = await log.fetch([{ topic: 'logs.error', partition: p, offset: 0, maxBytes: 16 * 1024 }], { maxWaitMs: 0 });
    sampleError = errors?.records[0]?.value?.toString('utf8') ?? null;
  }
  await producer.disconnect();
  await admin.disconnect();
  await log.close();
  return { lines: options.lines, elapsedMs, topics, deadLetters, sampleError };
}
