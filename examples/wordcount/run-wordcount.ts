/**
 * Runs word count on an embedded log: creates the topics, produces the lines, starts the application,
 * waits until every line is processed and committed, and returns the counts read back from the store
 * (interactive query) and from the output topic (the last count per word).
 */
import type { Admin } from '../../core/clients/log-client.ts';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { COUNTS_STORE, COUNTS_TOPIC, LINES_TOPIC, wordcountTopology } from './wordcount-topology.ts';

/** Options of {@link runWordcount}. */
export interface RunWordcountOptions {
  /** Embedded log directory. */
  readonly dir: string;
  readonly stateDir: string;
  readonly lines: readonly string[];
  readonly partitions?: number;
}

/** What a run produced. */
export interface WordcountReport {
  /** word -> count, from the store. */
  readonly store: Map<string, number>;
  /** word -> last count written to the output topic. */
  readonly output: Map<string, number>;
  readonly elapsedMs: number;
}

/** Waits until the group `wordcount` committed the end offset of every non-empty partition of `topic`. */
async function waitCommitted(admin: Admin, topic: string): Promise<void> {
  const end = await admin.fetchTopicOffsets(topic);
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId: 'wordcount', topics: [topic] });
    const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
    if (end.every((p) => Number(p.high) === 0 || (at.get(p.partition) ?? -1) >= Number(p.high))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs word count over `lines`. */
export async function runWordcount(options: RunWordcountOptions): Promise<WordcountReport> {
  const started = Date.now();
  const partitions = options.partitions ?? 2;
  const log = await EmbeddedLog.open({ dir: options.dir });
  try {
    const admin = log.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = [LINES_TOPIC, COUNTS_TOPIC].filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions: partitions }));
    if (topics.length > 0) await admin.createTopics({ topics });
    const producer = log.producer();
    await producer.connect();
    for (let i = 0; i < options.lines.length; i += 1000) {
      await producer.send({ topic: LINES_TOPIC, messages: options.lines.slice(i, i + 1000).map((value) => ({ key: null, value })) });
    }
    await producer.disconnect();
    const app = new TributaryStreams(wordcountTopology(), { applicationId: 'wordcount', log: { client: log }, stateDir: options.stateDir, commitIntervalMs: 100 });
    await app.start();
    // Done when the group committed the end of every input partition, then of the repartition topic
    // through which the words reach the counting sub-topology.
    await waitCommitted(admin, LINES_TOPIC);
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith('wordcount-') && t.endsWith('-repartition'))) {
      await waitCommitted(admin, topic);
    }
    await app.commit();
    const store = new Map<string, number>();
    for (const { key, value } of app.store<string, number>(COUNTS_STORE).all()) store.set(key, value);
    await app.close();

    const output = new Map<string, number>();
    const int64 = Serdes.int64();
    for (const p of await admin.fetchTopicOffsets(COUNTS_TOPIC)) {
      const [fetched] = await log.fetch([{ topic: COUNTS_TOPIC, partition: p.partition, offset: 0, maxBytes: 1 << 26 }], { maxWaitMs: 0 });
      for (const r of fetched!.records) output.set(r.key!.toString(), int64.deserialize(COUNTS_TOPIC, r.value!) as number);
    }
    await admin.disconnect();
    return { store, output, elapsedMs: Date.now() - started };
  } finally {
    await log.close();
  }
}
