/**
 * Global stores (the state of a GlobalKTable): a full copy of a topic on every instance, restored from
 * the SOURCE topic (there is no changelog: the topic is the changelog) and kept up to date by a loop
 * that reads every partition of it (Kafka Streams' `GlobalStreamThread`).
 *
 * The global stores run in one task-like unit (a {@link StreamTask} over a source node and the store's
 * update processor per global store, reading all partitions of the global topics; its name is `global`).
 *
 * 1. Start (before the application joins its group): build and init the stores in
 *    `<stateDir>/<applicationId>/global`; the checkpoint file there names, per topic-partition, the last
 *    offset the local data reflects. A persistent store with usable local data (`restoredOffset()` not
 *    null and an entry for every partition) resumes past those offsets; any other is wiped and
 *    restored from the start of its topic.
 * 2. Restore: the raw records up to each partition's high watermark go straight to the store's restore
 *    callback (no deserialization, no processor), reported as `restore` progress with task `global`.
 * 3. Update loop: fetch every partition from its position (waiting up to `pollMs` when nothing is
 *    new), process the records through the update processors (which deserialize and put), and about
 *    every `commitIntervalMs` flush the stores, checkpoint the persistent ones and write the checkpoint file.
 *
 * Any processor of the application may read a global store by name (`context.getStateStore`), without
 * being connected to it; interactive queries read it with `app.store(name)`.
 */
import { join } from 'node:path';
import type { Admin, LogClient } from '../clients/log-client.ts';
import type { ProcessorSupplier } from '../processor/processor.ts';
import type { StateStore, StoreBuilder } from '../processor/state-store.ts';
import type { Serde } from '../serde/serde.ts';
import type { Clock } from '../time/clock.ts';
import type { GlobalStoreDef, ProcessorNodeDef, SourceNodeDef, SubtopologyDef } from '../topology/physical-topology.ts';
import type { TopicPartition } from '../log/assignors/partition-assignor.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import { checkpointKey, readCheckpoint, writeCheckpoint } from './checkpoint-file.ts';
import type { HandlerLogger } from './error-handlers.ts';
import type { RecordCollector } from './record-collector.ts';
import { StreamTask } from './stream-task.ts';
import type { ChangelogBatch, ChangelogFetcher, RestoreProgress } from './store-changelog-reader.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';
import { DriverMessage } from './test-record.ts';
import type { SubtopologyLayout } from './topology-layout.ts';

/** A global store of a topology (defined with the physical topology, `Topology.addGlobalStore`). */
export type { GlobalStoreDef };

/** A topology that may carry global stores (every `PhysicalTopology` does: `globalStores`). */
export interface GlobalStoresCarrier {
  readonly globalStores?: readonly GlobalStoreDef[];
}

/** What the global thread tells the application. */
export interface GlobalThreadListener {
  onRestore(progress: RestoreProgress): void;
  onFatalError(error: unknown): void;
}

const NO_COLLECTOR: RecordCollector = {
  send: () => undefined,
  sendPartitioned: () => undefined,
  sendBuffered: () => undefined,
  flush: async () => undefined,
  pending: 0,
  lastOffset: () => -1,
  trackOffsets: () => undefined,
};

/**
 * The global stores of one application instance and their update loop.
 *
 * @example
 * const global = new GlobalStreamThread(defs, config, client, fetcher, listener);
 * await global.start(); // restored
 * global.store('countries');
 * await global.shutdown();
 */
export class GlobalStreamThread {
  private task: StreamTask | null = null;
  private readonly positions = new Map<string, number>();
  private partitions: TopicPartition[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private lastCommitAt = 0;
  private readonly dir: string;

  constructor(
    private readonly defs: readonly GlobalStoreDef[],
    private readonly config: ResolvedStreamsConfig,
    private readonly client: LogClient,
    private readonly fetcher: ChangelogFetcher,
    private readonly listener: GlobalThreadListener,
    private readonly pollMs = 100,
  ) {
    this.dir = join(config.stateDir, config.applicationId, 'global');
  }

  /** Whether the topology has global stores. */
  get empty(): boolean {
    return this.defs.length === 0;
  }

  /** A global store by name, or undefined. */
  store(name: string): StateStore | undefined {
    return this.task?.store(name);
  }

  /** Names of the global stores. */
  storeNames(): string[] {
    return this.defs.map((d) => d.builder.name);
  }

  /**
   * Builds, restores (steps 1-2) and starts the update loop (step 3).
   * @throws StreamsError when a global topic is missing or cannot be read
   */
  async start(): Promise<void> {
    if (this.defs.length === 0) return;
    const admin = this.client.admin();
    await admin.connect();
    try {
      this.partitions = await this.topicPartitions(admin);
    } finally {
      await admin.disconnect();
    }
    const task = this.buildTask();
    this.task = task;
    task.initializeStores();
    await this.restore(task);
    task.completeRestoration();
    this.commit();
    this.running = true;
    this.loop = this.run().catch((error: unknown) => {
      if (!this.running) return;
      this.running = false;
      this.listener.onFatalError(error);
    });
  }

  /** Stops the loop, commits and closes the stores. */
  async shutdown(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.task !== null && !this.task.isClosed) {
      try {
        this.commit();
      } finally {
        this.task.close();
      }
    }
  }

  private async topicPartitions(admin: Admin): Promise<TopicPartition[]> {
    const topics = [...new Set(this.defs.map((d) => d.topic))];
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new StreamsError(`Global store topic(s) ${missing.map((t) => `"${t}"`).join(', ')} do not exist; create them first`);
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    return meta.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })));
  }

  private buildTask(): StreamTask {
    const c = this.config;
    const logger: HandlerLogger = c.logger;
    return buildGlobalTask(this.defs, this.partitions, { applicationId: c.applicationId, clock: c.clock, taskDir: this.dir, logger });
  }

  /** Steps 1-2. */
  private async restore(task: StreamTask): Promise<void> {
    let file: Map<string, number>;
    try {
      file = readCheckpoint(this.dir);
    } catch {
      file = new Map();
    }
    for (const entry of task.stateManager.stores()) {
      const def = this.defs.find((d) => d.builder.name === entry.name)!;
      const parts = this.partitions.filter((tp) => tp.topic === def.topic);
      let local: number | null = null;
      try {
        local = entry.store.persistent ? (entry.store.restoredOffset?.() ?? -1) : null;
      } catch {
        local = null;
      }
      const usable = local !== null && parts.every((tp) => file.has(checkpointKey(tp.topic, tp.partition)));
      if (!usable) entry.store.wipe?.();
      for (const tp of parts) {
        const from = usable ? file.get(checkpointKey(tp.topic, tp.partition))! + 1 : 0;
        this.positions.set(checkpointKey(tp.topic, tp.partition), await this.restorePartition(entry.name, entry.restore, tp, from, usable));
      }
    }
  }

  /** Replays one partition from `from` to its high watermark; returns the next offset to read. */
  private async restorePartition(store: string, restore: ((records: ChangelogBatch['records']) => void) | null, tp: TopicPartition, from: number, hadLocal: boolean): Promise<number> {
    let batch = await this.fetcher.fetch(tp.topic, tp.partition, from, this.config.restoreBatchBytes);
    let offset = from;
    if (batch.error !== undefined || offset < batch.logStartOffset || (hadLocal && offset > batch.highWatermark)) {
      offset = Math.max(0, batch.logStartOffset);
      batch = await this.fetcher.fetch(tp.topic, tp.partition, offset, this.config.restoreBatchBytes);
    }
    if (batch.error !== undefined || batch.highWatermark < 0) {
      throw new StreamsError(`Global store "${store}": cannot read ${tp.topic}-${tp.partition}@${offset}: ${batch.error?.message ?? 'unknown partition'}`, { cause: batch.error });
    }
    const end = batch.highWatermark;
    const startOffset = offset;
    const total = Math.max(0, end - startOffset);
    let restored = 0;
    const report = (done: boolean): void =>
      this.listener.onRestore({ store, taskId: 'global', topic: tp.topic, partition: tp.partition, restored, total, startOffset, done });
    report(false);
    while (offset < end) {
      let records = batch.records;
      if (records.length > 0 && records[records.length - 1]!.offset >= end) records = records.filter((r) => r.offset < end);
      if (records.length > 0) {
        restore?.(records);
        restored += records.length;
      }
      if (batch.nextOffset <= offset) break;
      offset = batch.nextOffset;
      if (offset >= end) break;
      report(false);
      batch = await this.fetcher.fetch(tp.topic, tp.partition, offset, this.config.restoreBatchBytes);
      if (batch.error !== undefined) throw new StreamsError(`Global store "${store}": cannot read ${tp.topic}-${tp.partition}@${offset}: ${batch.error.message}`, { cause: batch.error });
    }
    report(true);
    return Math.max(offset, end);
  }

  /** Step 3. */
  private async run(): Promise<void> {
    const task = this.task!;
    const fetchClient = this.client as unknown as { fetch(r: unknown[], o: { maxWaitMs: number; isolationLevel?: string }): Promise<ChangelogBatch[]> };
    // Exactly-once: a global table sees only committed records of its topic.
    const isolation = this.config.processingGuarantee === 'exactly_once_v2' ? { isolationLevel: 'read_committed' } : {};
    this.lastCommitAt = this.config.clock.now();
    while (this.running) {
      const requests = this.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: this.positions.get(checkpointKey(tp.topic, tp.partition))!, maxBytes: 1 << 20 }));
      const fetched = await fetchClient.fetch(requests, { maxWaitMs: this.pollMs, ...isolation });
      if (!this.running) break;
      for (let i = 0; i < fetched.length; i++) {
        const part = fetched[i]!;
        const req = requests[i]!;
        if (part.error !== undefined || part.records.length === 0) continue;
        const messages = part.records.map((r) => new DriverMessage(r.key, r.value, (r as { headers?: [] }).headers ?? [], r.timestamp, r.offset));
        task.addRecords(req.topic, req.partition, messages, part.highWatermark);
        this.positions.set(checkpointKey(req.topic, req.partition), part.nextOffset);
      }
      while (task.processBatch(10_000) > 0);
      if (this.config.clock.now() - this.lastCommitAt >= this.config.commitIntervalMs) this.commit();
    }
  }

  /** Flush, checkpoint persistent stores, write the positions (last offset reflected per partition). */
  private commit(): void {
    const task = this.task;
    if (task === null || task.isClosed) return;
    this.lastCommitAt = this.config.clock.now();
    task.flushStores();
    for (const s of task.stateManager.stores()) if (s.store.persistent && s.store.isOpen()) s.store.checkpoint?.(-1);
    const offsets = new Map<string, number>();
    for (const [key, next] of this.positions) offsets.set(key, next - 1);
    writeCheckpoint(this.dir, offsets);
  }
}

/** What {@link buildGlobalTask} needs. */
export interface GlobalTaskOptions {
  readonly applicationId: string;
  readonly clock: Clock;
  /** `<stateDir>/<applicationId>/global`. */
  readonly taskDir: string;
  readonly logger: HandlerLogger;
}

/**
 * The task of the global stores: per global store a source node (its topic and serdes) feeding its
 * update processor, over `partitions` (every partition of the global topics); named `global`. Failures
 * of a global update are fatal (logged, then thrown). Shared by the runtime and the test driver.
 * @example
 * const task = buildGlobalTask(defs, [{ topic: 'countries', partition: 0 }], { applicationId, clock, taskDir, logger });
 */
export function buildGlobalTask(defs: readonly GlobalStoreDef[], partitions: readonly TopicPartition[], options: GlobalTaskOptions): StreamTask {
  const nodes = new Map<string, SourceNodeDef | ProcessorNodeDef>();
  const sources: SourceNodeDef[] = [];
  const sourceByTopic = new Map<string, SourceNodeDef>();
  const builders = new Map<string, StoreBuilder>();
  for (const d of defs) {
    const name = d.builder.name;
    const sourceName = d.sourceName ?? `global-${name}-source`;
    const updateName = d.processorName ?? `global-${name}-update`;
    const source: SourceNodeDef = { kind: 'source', name: sourceName, topics: [d.topic], internal: false, keySerde: d.keySerde, valueSerde: d.valueSerde, children: [updateName] };
    const update: ProcessorNodeDef = { kind: 'processor', name: updateName, supplier: d.processor, parents: [source.name], children: [], stores: [name] };
    nodes.set(source.name, source);
    nodes.set(update.name, update);
    sources.push(source);
    sourceByTopic.set(d.topic, source);
    builders.set(name, d.builder);
  }
  const def: SubtopologyDef = { id: -1, sources, nodes, storeNames: [...builders.keys()], copartitionGroups: [] };
  const layout: SubtopologyLayout = { id: -1, def, sourceTopics: [...sourceByTopic.keys()], sourceByTopic, copartitionGroups: [] };
  const logger = options.logger;
  const fail = (what: string) => (context: { error: unknown }): 'fail' => {
    logger.error(`Global stores: ${what}`, { error: context.error });
    return 'fail';
  };
  return new StreamTask({ subtopology: -1, partition: 0 }, layout, partitions, {
    applicationId: options.applicationId,
    clock: options.clock,
    collector: NO_COLLECTOR,
    storeBuilders: builders,
    taskDir: options.taskDir,
    logger,
    onDeserializationError: fail('a record of a global topic does not deserialize'),
    onProcessingError: fail('the update processor failed'),
    onProductionError: fail('unexpected output'),
    name: 'global',
  });
}
