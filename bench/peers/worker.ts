/**
 * One engine of `npm run bench -- peers`, in its own process (`node --import tsx bench/peers/worker.ts '<json>'`)
 * so that its peak RSS is its own. The input topic is already filled by the parent. The worker starts the
 * application (t0 = just before the app is constructed), polls the output topic until the latest counts
 * sum to the expected number of words, stops the clock, writes word -> latest count to `countsFile` and
 * prints its figures as one JSON line on stdout.
 *
 * Engines: `embedded` (TributaryStreams on an EmbeddedLog directory), `broker` (TributaryStreams through
 * the kafkajs backend on `tributary broker`), `flow` (@kafkats/flow with @kafkats/client on the broker,
 * its defaults: in-memory store with its changelog on). The output topic is read by the same reader for
 * both broker engines (Tributary's KafkajsLogClient.fetch, partition reads outside any group).
 */
import { writeFileSync } from 'node:fs';
import type { FetchedPartition, FetchOptions, FetchRequest } from '../../core/clients/embedded/embedded-log.ts';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { KafkajsLogClient } from '../../core/clients/kafkajs/kafkajs-log-client.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { COUNTS_TOPIC, LINES_TOPIC, wordcountTopology, wordsOf } from '../../examples/wordcount/wordcount-topology.ts';

export type Engine = 'embedded' | 'broker' | 'flow';

/** What the parent passes (argv[2], JSON). */
export interface WorkerArgs {
  readonly engine: Engine;
  /** Embedded log directory (engine `embedded`). */
  readonly logDir?: string;
  /** `host:port` of the broker (engines `broker`, `flow`). */
  readonly bootstrap?: string;
  readonly stateDir: string;
  readonly partitions: number;
  readonly expectedWords: number;
  readonly lines: number;
  readonly timeoutMs: number;
  readonly countsFile: string;
  /** The repartition topic the flow topology writes through (created by the parent). */
  readonly flowRepartitionTopic: string;
}

/** What the worker prints. */
export interface WorkerResult {
  readonly engine: Engine;
  readonly ok: boolean;
  readonly error?: string;
  readonly seconds: number;
  readonly wordsSeen: number;
  readonly outputRecords: number;
  readonly linesPerSec: number | null;
  readonly wordsPerSec: number | null;
  readonly peakRssMB: number;
  /** CPU seconds (user + system) of this process from app start to complete output. */
  readonly cpuSeconds: number;
}

interface Reader {
  fetch(requests: readonly FetchRequest[], options: FetchOptions): Promise<FetchedPartition[]>;
}

const args = JSON.parse(process.argv[2]!) as WorkerArgs;
const int64 = Serdes.int64();
const decodeCount =
  args.engine === 'flow'
    ? (b: Buffer): number => b.readDoubleLE(0) // @kafkats/flow's default count codec
    : (b: Buffer): number => int64.deserialize(COUNTS_TOPIC, b) as number;

const counts = new Map<string, number>();
const next = Array.from({ length: args.partitions }, () => 0);
let total = 0;
let outputRecords = 0;

/** Reads whatever the output topic has past `next`; returns the sum of the latest counts. */
async function poll(reader: Reader): Promise<number> {
  for (;;) {
    const fetched = await reader.fetch(
      next.map((offset, partition) => ({ topic: COUNTS_TOPIC, partition, offset, maxBytes: 1 << 22 })),
      { maxWaitMs: 0 },
    );
    let got = 0;
    for (const p of fetched) {
      if (p.error !== undefined) continue;
      for (const r of p.records) {
        if (r.key === null || r.value === null) continue;
        const word = r.key.toString();
        const count = decodeCount(r.value);
        total += count - (counts.get(word) ?? 0);
        counts.set(word, count);
        got += 1;
      }
      next[p.partition] = p.nextOffset;
    }
    outputRecords += got;
    if (got === 0) return total;
  }
}

interface Running {
  readonly reader: Reader;
  close(): Promise<void>;
}

async function startTributary(): Promise<Running> {
  if (args.engine === 'embedded') {
    const log = await EmbeddedLog.open({ dir: args.logDir! });
    const app = new TributaryStreams(wordcountTopology(), { applicationId: 'wordcount', log: { client: log }, stateDir: args.stateDir, commitIntervalMs: 100 });
    await app.start();
    return { reader: log, close: async () => { await app.close(); await log.close(); } };
  }
  const reader = new KafkajsLogClient({ brokers: [args.bootstrap!], clientId: 'peers-reader', connectionTimeout: 10_000 });
  const app = new TributaryStreams(wordcountTopology(), {
    applicationId: 'wordcount',
    log: { kafka: { brokers: [args.bootstrap!] } },
    stateDir: args.stateDir,
    commitIntervalMs: 100,
  });
  await app.start();
  return { reader, close: async () => { await app.close(); await reader.close(); } };
}

async function startFlow(): Promise<Running> {
  const { flow } = await import('@kafkats/flow');
  const { string } = await import('@kafkats/client');
  const reader = new KafkajsLogClient({ brokers: [args.bootstrap!], clientId: 'peers-reader', connectionTimeout: 10_000 });
  const app = flow({ applicationId: 'wordcount-flow', client: { brokers: [args.bootstrap!], clientId: 'wordcount-flow' }, stateDir: args.stateDir });
  // @kafkats/flow's groupBy does not repartition (it groups within a task), so the repartition that
  // Kafka Streams' groupBy (and Tributary's) performs is written out: selectKey + through + groupByKey.
  app
    .stream(LINES_TOPIC, { key: string(), value: string(), offsetReset: 'earliest' })
    .flatMapValues((line) => wordsOf(line ?? ''))
    .selectKey((word) => word ?? '')
    .through(args.flowRepartitionTopic, { key: string(), value: string() })
    .groupByKey({ key: string(), value: string() })
    .count()
    .toStream()
    .to(COUNTS_TOPIC);
  await app.start();
  return { reader, close: async () => { await app.close(); await reader.close(); } };
}

const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const cpuSeconds = (): number => {
  const u = process.cpuUsage(cpu0);
  return (u.user + u.system) / 1e6;
};
const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
let result: WorkerResult;
let running: Running | null = null;
try {
  running = args.engine === 'flow' ? await startFlow() : await startTributary();
  const deadline = Date.now() + args.timeoutMs;
  let seen = 0;
  for (;;) {
    seen = await poll(running.reader);
    if (seen >= args.expectedWords || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const seconds = elapsed();
  const ok = seen === args.expectedWords;
  result = {
    engine: args.engine,
    ok,
    ...(ok ? {} : { error: `timed out after ${args.timeoutMs} ms: the output reflects ${seen} of ${args.expectedWords} words` }),
    seconds,
    wordsSeen: seen,
    outputRecords,
    linesPerSec: ok ? args.lines / seconds : null,
    wordsPerSec: ok ? args.expectedWords / seconds : null,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: cpuSeconds(),
  };
} catch (e) {
  const err = e as Error;
  result = {
    engine: args.engine,
    ok: false,
    error: `${err.name}: ${err.message}`,
    seconds: elapsed(),
    wordsSeen: total,
    outputRecords,
    linesPerSec: null,
    wordsPerSec: null,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: cpuSeconds(),
  };
}
writeFileSync(args.countsFile, JSON.stringify([...counts]));
try {
  await Promise.race([running?.close(), new Promise((r) => setTimeout(r, 10_000))]);
} catch {
  // closing is not measured
}
console.log(JSON.stringify(result));
process.exit(0);
