/**
 * The processing loop of one application instance (Kafka Streams' `StreamThread`, on one event loop):
 * it prepares the topics, joins the group with one consumer, receives fetched batches into the task
 * queues, processes records in bounded batches per loop turn, fires punctuations, commits on time or on
 * request, and handles rebalances.
 *
 * A loop turn (`runOnce`): each task processes up to `maxRecordsPerTaskPerTurn` records (smallest
 * timestamp first); wall-clock punctuations fire; the record collector hands the turn's output to the
 * producer; drained partitions are resumed; a commit runs when due. Then the loop yields
 * (`setImmediate`) if there is more to do, or sleeps until a fetch, a punctuation or the commit is due.
 * Fetching is bounded: a partition whose queue holds `maxBufferedRecordsPerPartition` records is paused
 * until its queue drains below half.
 *
 * State: new tasks restore their stores from the changelogs ({@link StoreChangelogReader}) before they
 * process anything; the restore runs beside the loop (tasks already running keep processing) and the
 * application reports RUNNING once every assigned task is restored. On revocation tasks are committed
 * and suspended, not closed: a task the next assignment gives back resumes with its stores as they are;
 * the others are closed then. With `idleAdvanceMs`, tasks whose inputs stay idle advance their stream
 * time from the wall clock ({@link StreamTask.advanceIdleStreamTime}).
 *
 * Exactly-once (`processingGuarantee: 'exactly_once_v2'`): the thread's producer is transactional
 * (`<applicationId>-<processId>-1`, see {@link processIdOf}); everything the tasks send joins the open
 * transaction ({@link StreamsProducer}), which each commit closes with the input offsets; the consumer and
 * the restores read read_committed. A commit that fails, or a fenced producer (TaskMigrated), aborts the
 * transaction, closes every task dirty and rebuilds the tasks of the current assignment from the
 * changelogs at the committed offsets ({@link EosRecovery}); a fatal error aborts the transaction first.
 */
import { join } from 'node:path';
import { ConsumerEvents, type Admin, type Consumer, type EachBatchPayload, type LogClient, type Producer, type TopicPartitions } from '../clients/log-client.ts';
import type { TopicPartition } from '../log/assignors/partition-assignor.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { PhysicalTopology } from '../topology/physical-topology.ts';
import type { TimerHandle } from '../time/clock.ts';
import { resolveDeserializationHandler } from './dead-letter.ts';
import {
  describeProcessing,
  describeProduction,
  resolveHandler,
  type ProcessingErrorContext,
  type ProductionErrorContext,
} from './error-handlers.ts';
import { LogRecordCollector } from './log-record-collector.ts';
import { partitionKey } from './partition-group.ts';
import { StreamTask } from './stream-task.ts';
import { StreamsPartitionAssignor } from './streams-assignor.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';
import { StreamsMetrics, type TaskMetrics } from './streams-metrics.ts';
import { TaskManager, type CommitStepEvent } from './task-manager.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import { changelogFetcherFor, StoreChangelogReader, type RestoreProgress } from './store-changelog-reader.ts';
import { TaskRestoration } from './task-restoration.ts';
import { createStoreCache } from './store-cache-provider.ts';
import { GlobalStreamThread, type GlobalStoresCarrier } from './global-stream-thread.ts';
import type { TopologyLayout } from './topology-layout.ts';
import { prepareSerdes, prepareTopics } from './topic-preparation.ts';
import { StreamsProducer, streamsProducerOptions } from './streams-producer.ts';
import { EosRecovery, isTaskMigration } from './eos-recovery.ts';

/** What the thread tells its application. */
export interface StreamThreadListener {
  onRebalanceStarted(): void;
  onTasksAssigned(): void;
  onFatalError(error: unknown): void;
  onCommitStep(event: CommitStepEvent): void;
  onRestore(progress: RestoreProgress): void;
  /** Tasks were created or resumed (interactive queries attach their watchers). */
  onTasksCreated?(): void;
}

/**
 * Runs the tasks of one application instance on a log client.
 *
 * @example
 * const thread = new StreamThread(topology, config, client, listener);
 * await thread.start();   // resolves once the first assignment is running
 * await thread.shutdown(); // commits, leaves the group
 */
export class StreamThread {
  readonly metrics: StreamsMetrics;
  private layout!: TopologyLayout;
  private taskManager!: TaskManager;
  private collector!: LogRecordCollector;
  private admin!: Admin;
  private producer!: Producer;
  private streamsProducer!: StreamsProducer;
  private consumer!: Consumer;
  /** The partitions the group assigned to this instance now. */
  private assignment: TopicPartitions[] = [];
  private readonly eos: boolean;
  private running = false;
  /** The global stores (GlobalKTables) and their update loop. */
  global: GlobalStreamThread | null = null;
  private scheduled = false;
  private sleepTimer: TimerHandle | null = null;
  /** The async step in progress (commit, producer backpressure); the loop waits for it. */
  private busy: Promise<void> | null = null;
  private lastCommitAt = 0;
  private readonly paused = new Set<string>();
  private readonly turn = (): void => this.runOnce();
  private restoration!: TaskRestoration;

  constructor(
    private readonly topology: PhysicalTopology,
    private readonly config: ResolvedStreamsConfig,
    private readonly client: LogClient,
    private readonly listener: StreamThreadListener,
  ) {
    this.metrics = new StreamsMetrics(config.clock.now());
    this.eos = config.processingGuarantee === 'exactly_once_v2';
  }

  /** A new producer, connected (under exactly-once this fences older producers of the same transactional id). */
  async connectProducer(): Promise<Producer> {
    const producer = this.client.producer(streamsProducerOptions(this.config));
    await producer.connect();
    return producer;
  }

  /**
   * Prepares topics, joins the group and starts the loop; resolves once the first assignment runs
   * (its tasks restored).
   * @throws TopologyError for missing source topics, co-partitioning mismatches or internal topics with a wrong partition count
   */
  async start(): Promise<void> {
    const c = this.config;
    this.admin = this.client.admin();
    await this.admin.connect();
    const prepared = await prepareTopics(this.topology, c.applicationId, this.admin);
    this.layout = prepared.layout;
    const counts = prepared.counts;
    await prepareSerdes(this.layout, c.defaultKeySerde, c.defaultValueSerde);
    const logger = c.logger;
    const onProductionError = resolveHandler(c.productionErrorHandler, logger, describeProduction);
    this.producer = await this.connectProducer();
    this.streamsProducer = new StreamsProducer(this.producer, this.eos, c.applicationId);
    this.collector = new LogRecordCollector(this.streamsProducer, this.admin, onProductionError);
    for (const [topic, n] of counts) this.collector.setPartitionCount(topic, n);
    const onDeserializationError = resolveDeserializationHandler(c.deserializationErrorHandler, this.collector, logger);
    const onProcessingError = resolveHandler<ProcessingErrorContext>(c.processingErrorHandler, logger, describeProcessing);
    const storeCache = createStoreCache(this.topology.storeBuilders, c.cacheMaxBytes);
    const fetcher = changelogFetcherFor(this.client, this.eos);
    const globalDefs = (this.topology as GlobalStoresCarrier).globalStores ?? [];
    this.global = new GlobalStreamThread(globalDefs, c, this.client, fetcher, {
      onRestore: (progress) => this.listener.onRestore(progress),
      onFatalError: (error) => {
        if (!this.running) return;
        this.running = false;
        this.listener.onFatalError(error);
      },
    });
    await this.global.start();
    const global = this.global;
    const reader = new StoreChangelogReader(fetcher, {
      batchBytes: c.restoreBatchBytes,
      onProgress: (progress) => this.listener.onRestore(progress),
    });
    this.restoration = new TaskRestoration(reader, {
      isRunning: () => this.running,
      activeTasks: () => this.taskManager.tasks(),
      onTaskRestored: () => this.wake(),
      onAssignmentReady: () => {
        this.listener.onTasksAssigned();
        this.wake();
      },
      onFailure: (error) => {
        if (!this.running) return;
        this.running = false;
        this.listener.onFatalError(error);
      },
    });
    this.taskManager = new TaskManager({
      layout: this.layout,
      createTask: (id: TaskId, partitions: readonly TopicPartition[]) =>
        new StreamTask(id, this.layout.subtopologies[id.subtopology]!, partitions, {
          applicationId: c.applicationId,
          clock: c.clock,
          collector: this.collector,
          defaultKeySerde: c.defaultKeySerde,
          defaultValueSerde: c.defaultValueSerde,
          storeBuilders: this.topology.storeBuilders,
          taskDir: join(c.stateDir, c.applicationId, `${id.subtopology}_${id.partition}`),
          logger,
          onDeserializationError,
          onProcessingError,
          onProductionError: onProductionError as (context: ProductionErrorContext) => 'continue' | 'fail',
          storeCache,
          ...(global.empty ? {} : { globalStore: (name: string) => global.store(name) }),
          eos: this.eos,
        }),
      flushProducer: () => this.collector.flush(),
      commitOffsets: (offsets) => (this.eos ? this.streamsProducer.commitTransaction(offsets) : this.consumer.commitOffsets(offsets)),
      eos: this.eos,
      taskDir: (task) => join(c.stateDir, c.applicationId, task.name),
      onCommitStep: (event) => this.listener.onCommitStep(event),
      onCommitRejected: (error) => logger.warn(`Application "${c.applicationId}": commit rejected by the group (rebalancing): ${String(error)}`),
    });

    this.consumer = this.client.consumer({
      groupId: c.applicationId,
      clientId: `${c.applicationId}-consumer`,
      partitionAssigners: [new StreamsPartitionAssignor(this.layout)],
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      maxBytesPerPartition: c.fetchMaxBytesPerPartition,
      maxWaitTimeInMs: c.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
      // Kafka Streams reads read_uncommitted under at-least-once, read_committed under exactly-once.
      readUncommitted: !this.eos,
      onPartitionsRevoked: (revoked) => this.onPartitionsRevoked(revoked),
      onPartitionsAssigned: (assigned) => this.onPartitionsAssigned(assigned),
    });
    this.consumer.on(ConsumerEvents.CRASH, (event) => {
      if (this.running) this.listener.onFatalError(event.payload?.error ?? event.payload);
    });
    await this.consumer.connect();
    const earliest: string[] = [];
    const latest: string[] = [];
    for (const s of this.layout.subtopologies) {
      for (const topic of s.sourceTopics) (s.sourceByTopic.get(topic)!.offsetReset === 'latest' ? latest : earliest).push(topic);
    }
    if (earliest.length > 0) await this.consumer.subscribe({ topics: earliest, fromBeginning: true });
    if (latest.length > 0) await this.consumer.subscribe({ topics: latest, fromBeginning: false });
    this.running = true;
    this.lastCommitAt = c.clock.now();
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    this.schedule();
    await this.restoration.firstReady;
  }

  /** Stops the loop, commits, closes the tasks and leaves the group; then disconnects the clients. */
  async shutdown(): Promise<void> {
    this.running = false;
    this.cancelSleep();
    while (this.busy !== null) await this.busy;
    // disconnect() stops the consumer: onPartitionsRevoked commits and suspends every task, then it leaves.
    await this.consumer?.disconnect();
    this.closeTasks(this.taskManager?.takeSuspended() ?? []);
    await this.global?.shutdown();
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  /** Stops after a fatal error: tasks are closed without committing; the group is left. */
  async abort(): Promise<void> {
    this.running = false;
    this.cancelSleep();
    this.restoration?.settle(new StreamsError(`Application "${this.config.applicationId}" stopped before its first assignment ran`));
    const tasks = [...(this.taskManager?.detachAll() ?? []), ...(this.taskManager?.takeSuspended() ?? [])];
    // Exactly-once: what the failed interval produced must never become visible.
    if (this.busy !== null) await this.busy;
    await this.streamsProducer?.abortTransaction();
    this.closeTasks(tasks);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.global?.shutdown().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** The consumer (tests use its `simulateHang` hook on the embedded log). */
  get groupConsumer(): Consumer {
    return this.consumer;
  }

  /** Per-task figures for `metrics$`. */
  taskMetrics(): TaskMetrics[] {
    return (this.taskManager?.tasks() ?? []).map((t) => ({ taskId: t.name, processed: t.processed, buffered: t.numBuffered(), lag: t.lag() }));
  }

  /** Ids of the active tasks, restoring or running (`0_1`, ...). */
  taskIds(): string[] {
    return (this.taskManager?.tasks() ?? []).map((t) => t.name).sort();
  }

  /** The active tasks (restoring or running), for interactive queries. */
  activeTasks(): readonly StreamTask[] {
    return this.taskManager?.tasks() ?? [];
  }

  /** Commits every task now (waits for a commit in progress first). */
  async commitNow(): Promise<void> {
    while (this.busy !== null) await this.busy;
    // Through the loop's async path, so a failure is handled as the loop's own (exactly-once: recovery).
    const work = this.commitAll();
    this.runAsync(work);
    await work;
  }

  // Consumer callbacks -------------------------------------------------------------------------

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const size = this.taskManager.addRecords(batch.topic, batch.partition, batch.messages, Number(batch.highWatermark));
    if (size < 0) return; // the partition's task is gone (revoked); its next owner fetches from the commit
    if (size >= this.config.maxBufferedRecordsPerPartition) {
      this.paused.add(partitionKey(batch.topic, batch.partition));
      this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
    this.wake();
  }

  private async onPartitionsRevoked(revoked: TopicPartitions[]): Promise<void> {
    this.restoration.revoke();
    this.listener.onRebalanceStarted();
    while (this.busy !== null) await this.busy;
    for (const { topic, partitions } of revoked) {
      const keys = partitions.map((p) => partitionKey(topic, p));
      if (keys.some((k) => this.paused.delete(k))) this.consumer.resume([{ topic, partitions }]);
    }
    this.assignment = [];
    const active = new Set(this.taskManager.detach(revoked));
    const running = [...active].filter((t) => t.state === 'running');
    // Restoring tasks stop restoring (stillWanted turns false once they are suspended); they keep what they restored.
    try {
      if (running.length > 0) await this.timedCommit(running, true);
      // Exactly-once: the stores hold committed state only now; a clean suspend writes the checkpoint file.
      if (this.eos) for (const t of running) if (t.stateful) t.checkpoint(true);
    } catch (error) {
      if (this.eos && isTaskMigration(error)) {
        // The transaction did not commit: the partitions go anyway; drop what the tasks did since the last commit.
        await this.eosRecovery().abandon([...active], error);
        return;
      }
      this.closeTasks([...active]);
      throw error;
    }
    for (const task of active) {
      task.suspend();
    }
    await this.restoration.settleRestoring();
    this.taskManager.keepSuspended([...active]);
  }

  private async onPartitionsAssigned(assigned: TopicPartitions[]): Promise<void> {
    this.assignment = assigned;
    const toRestore = this.taskManager.assign(assigned);
    this.closeTasks(this.taskManager.takeSuspended());
    this.listener.onTasksCreated?.();
    this.restoration.begin(toRestore);
  }

  private closeTasks(tasks: readonly StreamTask[]): void {
    for (const task of tasks) {
      try {
        task.close();
      } catch (error) {
        this.config.logger.warn(`Closing task ${task.name}: ${String(error)}`);
      }
    }
  }

  // The loop -----------------------------------------------------------------------------------

  private wake(): void {
    if (!this.running || this.scheduled) return;
    this.cancelSleep();
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private schedule(): void {
    this.scheduled = false;
    this.wake();
  }

  private cancelSleep(): void {
    if (this.sleepTimer !== null) {
      this.config.clock.clearTimeout(this.sleepTimer);
      this.sleepTimer = null;
    }
  }

  private runOnce(): void {
    this.scheduled = false;
    if (!this.running || this.busy !== null) return;
    const c = this.config;
    try {
      const tasks = this.taskManager.tasks();
      let processed = 0;
      let buffered = 0;
      let commitRequested = false;
      const now0 = c.clock.now();
      const idle = c.idleAdvanceMs;
      for (let i = 0; i < tasks.length; i++) {
        const task = tasks[i]!;
        if (task.state !== 'running') continue;
        processed += task.processBatch(c.maxRecordsPerTaskPerTurn);
        task.maybePunctuateSystemTime();
        if (idle !== undefined) task.advanceIdleStreamTime(now0, idle);
        buffered += task.numBuffered();
        if (task.commitRequested) commitRequested = true;
      }
      this.metrics.recordsProcessed += processed;
      this.collector.sendBuffered();
      if (this.collector.failure !== null) throw this.collector.failure;
      this.resumeDrained();
      const now = c.clock.now();
      if (commitRequested || now - this.lastCommitAt >= c.commitIntervalMs) {
        this.runAsync(this.commitAll());
        return;
      }
      if (this.collector.pending > 4 * 10_000) {
        this.runAsync(this.collector.flush());
        return;
      }
      if (buffered > 0) {
        this.wake();
        return;
      }
      this.sleepUntilDue(now);
    } catch (error) {
      this.onLoopError(error);
    }
  }

  private runAsync(work: Promise<unknown>): void {
    const done = work.then(
      () => {
        this.busy = null;
        this.wake();
      },
      (error: unknown) => {
        this.busy = null;
        if (!this.running) return;
        this.onLoopError(error);
      },
    );
    this.busy = done;
  }

  /** A failure of the loop: under exactly-once a TaskMigrated one is recovered from, anything else is fatal. */
  private onLoopError(error: unknown): void {
    if (this.eos && isTaskMigration(error)) {
      this.runAsync(this.eosRecovery().recover(this.assignment, error));
      return;
    }
    this.running = false;
    this.listener.onFatalError(error);
  }

  private eosRecovery(): EosRecovery {
    return new EosRecovery({
      config: this.config,
      admin: this.admin,
      consumer: this.consumer,
      taskManager: this.taskManager,
      collector: this.collector,
      streamsProducer: this.streamsProducer,
      connectProducer: async () => {
        await this.producer.disconnect().catch(() => undefined);
        this.producer = await this.connectProducer();
        return this.producer;
      },
      closeTasks: (tasks) => this.closeTasks(tasks),
      resumeAllPaused: () => {
        for (const key of this.paused) {
          const i = key.lastIndexOf('\u0000');
          this.consumer.resume([{ topic: key.slice(0, i), partitions: [Number(key.slice(i + 1))] }]);
        }
        this.paused.clear();
      },
      reassign: (assignment) => this.onPartitionsAssigned(assignment),
    });
  }

  private sleepUntilDue(now: number): void {
    let due = this.lastCommitAt + this.config.commitIntervalMs;
    const idle = this.config.idleAdvanceMs;
    for (const task of this.taskManager.tasks()) {
      due = Math.min(due, task.nextWallClockPunctuation());
      if (idle !== undefined) {
        const idleDue = task.idleDueAt(idle);
        // Once idle, stream time follows the wall clock: look again at least every second.
        due = Math.min(due, idleDue > now ? idleDue : now + Math.min(idle, 1000));
      }
    }
    this.sleepTimer = this.config.clock.setTimeout(() => {
      this.sleepTimer = null;
      this.wake();
    }, Math.max(0, due - now));
  }

  private resumeDrained(): void {
    if (this.paused.size === 0) return;
    const limit = this.config.maxBufferedRecordsPerPartition / 2;
    for (const key of [...this.paused]) {
      const i = key.lastIndexOf('\u0000');
      const topic = key.slice(0, i);
      const partition = Number(key.slice(i + 1));
      const task = this.taskManager.taskFor(topic, partition);
      const queue = task?.partitionGroup.queue(topic, partition);
      if (queue !== undefined && queue.size > limit) continue;
      this.paused.delete(key);
      this.consumer.resume([{ topic, partitions: [partition] }]);
    }
  }

  private async commitAll(): Promise<void> {
    const tasks = this.taskManager.runningTasks();
    this.lastCommitAt = this.config.clock.now();
    if (tasks.length === 0) return;
    await this.timedCommit(tasks);
  }

  private async timedCommit(tasks: readonly StreamTask[], enforceCheckpoint = false): Promise<void> {
    const started = this.config.clock.now();
    const committed = await this.taskManager.commit(tasks, enforceCheckpoint);
    if (committed) this.metrics.recordCommit(this.config.clock.now() - started);
  }
}
