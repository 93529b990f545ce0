/**
 * A stream task: one (sub-topology, partition number) pair. It owns the task's processor graph (fresh
 * processors from the suppliers), its state stores, one {@link RecordQueue} per input partition inside a
 * {@link PartitionGroup}, the task's stream time and its punctuation schedules. The real runtime and the
 * TopologyTestDriver run this same class; they differ only in where records come from and in the
 * {@link RecordCollector} given to the sinks.
 *
 * Per record (`processOne`): take the head with the smallest timestamp, advance stream time, set the
 * record context, call the source node (processors forward synchronously down to the sinks), then fire
 * stream-time punctuations that became due. No promise, no closure, no per-record allocation besides
 * the record itself.
 */
import type { KafkaMessage, TopicPartitionOffsetAndMetadata } from '../clients/log-client.ts';
import type { TopicPartition } from '../log/assignors/partition-assignor.ts';
import type { Cancellable, PunctuationType, Punctuator, TaskId } from '../processor/processor-context.ts';
import type { Record } from '../processor/record.ts';
import type { StateStore, StoreBuilder } from '../processor/state-store.ts';
import type { Serde } from '../serde/serde.ts';
import type { Clock } from '../time/clock.ts';
import { StreamsError, TopologyError } from '../errors/streams-errors.ts';
import {
  describeDeserialization,
  describeProcessing,
  type DeserializationErrorContext,
  type HandlerLogger,
  type HandlerResponse,
  type ProcessingErrorContext,
  type ProductionErrorContext,
} from './error-handlers.ts';
import { PartitionGroup, partitionKey } from './partition-group.ts';
import { ProcessorContextImpl, taskName, type TaskServices } from './processor-context-impl.ts';
import { ProcessorNode } from './processor-node.ts';
import { ProcessorStateManager } from './processor-state-manager.ts';
import { TASK_TRANSITIONS, type TaskState } from './task-state.ts';
import { buildTaskNodes } from './task-nodes.ts';
import { PunctuationQueue, PunctuationSchedule } from './punctuation-queue.ts';
import type { RecordCollector } from './record-collector.ts';
import { RecordQueue, timestampOf, type RecordQueueOwner } from './record-queue.ts';
import type { RuntimeNode } from './runtime-node.ts';
import type { SourceNode } from './source-node.ts';
import type { SubtopologyLayout } from './topology-layout.ts';

/** Everything a task needs from the application. */
export interface StreamTaskOptions {
  readonly applicationId: string;
  readonly clock: Clock;
  readonly collector: RecordCollector;
  readonly defaultKeySerde?: Serde<any> | undefined;
  readonly defaultValueSerde?: Serde<any> | undefined;
  readonly storeBuilders: ReadonlyMap<string, StoreBuilder>;
  /** `<stateDir>/<applicationId>/<taskId>` for persistent stores. */
  readonly taskDir: string;
  readonly logger: HandlerLogger;
  readonly onDeserializationError: (context: DeserializationErrorContext) => HandlerResponse;
  readonly onProcessingError: (context: ProcessingErrorContext) => HandlerResponse;
  readonly onProductionError: (context: ProductionErrorContext) => HandlerResponse;
  /** The app-wide store cache, handed to stores as `context.cache`. */
  readonly storeCache?: unknown;
  /** The task's name when it is not `<subtopology>_<partition>` (the global stores' task: `global`). */
  readonly name?: string;
  /** The application's global stores by name (GlobalKTables). */
  readonly globalStore?: (name: string) => StateStore | undefined;
  /**
   * Exactly-once: the task's checkpoint file is deleted when the task starts (or resumes) processing, so
   * a crash leaves none (it is written again at a clean suspend or close, after the final commit).
   */
  readonly eos?: boolean;
}


/**
 * One task.
 *
 * @example
 * const task = new StreamTask({ subtopology: 0, partition: 2 }, layout.subtopologies[0]!, partitions, options);
 * task.initialize();
 * task.addRecords('orders', 2, batch.messages, 120);
 * task.processBatch(1000);
 */
export class StreamTask implements TaskServices, RecordQueueOwner {
  readonly name: string;
  readonly context: ProcessorContextImpl;
  readonly partitionGroup: PartitionGroup;
  /** The largest timestamp processed (-1 before the first record). */
  streamTime = -1;
  /** Something was processed or punctuated since the last commit. */
  commitNeeded = false;
  /** A processor asked for a commit. */
  commitRequested = false;
  /** Records processed since the task was created. */
  processed = 0;
  private readonly nodes: readonly RuntimeNode[];
  private readonly sources: ReadonlyMap<string, SourceNode>;
  /** The task's stores and changelogs. */
  readonly stateManager: ProcessorStateManager;
  /** Wall-clock time of the last records added to the task (idle detection). */
  lastInputAt: number;
  /** Stream time reached by records before an idle advance moved it (-1: not advanced). */
  private idleBase = -1;
  private nodesInitialized = false;
  private readonly streamPunctuations = new PunctuationQueue<RuntimeNode>();
  private readonly wallPunctuations = new PunctuationQueue<RuntimeNode>();
  private readonly committed = new Map<string, number>();
  private readonly runPunctuation: (schedule: PunctuationSchedule<RuntimeNode>, time: number) => void;
  private readonly runStreamPunctuation: (schedule: PunctuationSchedule<RuntimeNode>, time: number) => void;
  private taskState: TaskState = 'created';

  constructor(
    readonly id: TaskId,
    readonly layout: SubtopologyLayout,
    readonly partitions: readonly TopicPartition[],
    private readonly options: StreamTaskOptions,
  ) {
    this.name = options.name ?? taskName(id);
    this.context = new ProcessorContextImpl(options.applicationId, id, options.clock);
    this.context.attach(this);
    this.runPunctuation = (schedule, time) => this.punctuate(schedule, time);
    this.runStreamPunctuation = (schedule, time) => {
      this.flushStoresOtherThan(schedule.owner);
      this.punctuate(schedule, time);
    };
    const built = buildTaskNodes(layout.def, this.context, options);
    this.nodes = built.nodes;
    this.sources = built.sources;
    const sources = built.sources;
    const queues: RecordQueue[] = [];
    for (const tp of partitions) {
      const def = layout.sourceByTopic.get(tp.topic);
      const source = def === undefined ? undefined : sources.get(def.name);
      if (source === undefined) throw new TopologyError(`Task ${this.name}: no source node reads topic "${tp.topic}"`);
      queues.push(new RecordQueue(tp.topic, tp.partition, source, this));
    }
    this.partitionGroup = new PartitionGroup(queues);
    this.lastInputAt = options.clock.now();
    this.stateManager = new ProcessorStateManager(id, layout.def.storeNames, {
      applicationId: options.applicationId,
      clock: options.clock,
      collector: options.collector,
      storeBuilders: options.storeBuilders,
      taskDir: options.taskDir,
      ...(options.storeCache === undefined ? {} : { cache: options.storeCache }),
    });
  }

  /** The task's lifecycle state. */
  get state(): TaskState {
    return this.taskState;
  }

  private transition(to: TaskState): void {
    if (!TASK_TRANSITIONS[this.taskState].includes(to)) {
      throw new StreamsError(`Task ${this.name}: illegal state transition ${this.taskState} -> ${to}`);
    }
    this.taskState = to;
  }

  /**
   * Builds and initializes the stores (each registers its restore callback); the task is then
   * `restoring` until {@link StreamTask.completeRestoration}.
   */
  initializeStores(): void {
    if (this.taskState !== 'created') return;
    this.transition('restoring');
    this.stateManager.initializeStores();
  }

  /** Initializes the processors (in topology order, once) and starts processing: state `running`. */
  completeRestoration(): void {
    if (this.taskState === 'running') return;
    this.transition('running');
    if (this.options.eos === true && this.stateful) this.stateManager.deleteCheckpointFile();
    if (!this.nodesInitialized) {
      this.nodesInitialized = true;
      for (const node of this.nodes) node.init();
    }
  }

  /** Stores, then processors: for callers with nothing to restore (the test driver). */
  initialize(): void {
    this.initializeStores();
    this.completeRestoration();
  }

  /**
   * Keeps the task across a rebalance: buffered records are dropped (the consumer refetches from the
   * committed offsets), stores and processors stay as they are.
   */
  suspend(): void {
    if (this.taskState === 'suspended' || this.taskState === 'closed') return;
    this.transition('suspended');
    this.partitionGroup.clear();
  }

  /** Takes a suspended task back: `running` again, or `restoring` if it was suspended mid-restore. */
  resume(): void {
    if (this.taskState !== 'suspended') return;
    this.transition(this.nodesInitialized ? 'running' : 'restoring');
    if (this.nodesInitialized && this.options.eos === true && this.stateful) this.stateManager.deleteCheckpointFile();
    this.lastInputAt = this.options.clock.now();
  }

  // Records ------------------------------------------------------------------------------------

  /** Buffers fetched messages of one input partition; returns that partition's queue size (-1: not an input). */
  addRecords(topic: string, partition: number, messages: readonly KafkaMessage[], highWatermark: number): number {
    const q = this.partitionGroup.queue(topic, partition);
    if (q === undefined) return -1;
    this.lastInputAt = this.options.clock.now();
    this.idleBase = -1;
    return q.add(messages, highWatermark);
  }

  /**
   * Adds an input partition read by the source node `sourceName` (the test driver routes topics that
   * match a pattern source this way).
   * @throws TopologyError for an unknown source node
   */
  addInputPartition(topic: string, partition: number, sourceName: string): void {
    const source = this.sources.get(sourceName);
    if (source === undefined) throw new TopologyError(`Task ${this.name} has no source node "${sourceName}"`);
    this.partitionGroup.addQueue(new RecordQueue(topic, partition, source, this));
  }

  /** Processes at most `max` records; returns how many were processed. */
  processBatch(max: number): number {
    if (this.taskState !== 'running') return 0;
    let n = 0;
    while (n < max && this.processOne()) n++;
    return n;
  }

  /** Processes the next record (smallest timestamp first); returns false when nothing is buffered. */
  processOne(): boolean {
    const q = this.partitionGroup.nextQueue();
    if (q === null) return false;
    const record = q.headRecord!;
    const offset = q.headOffset;
    q.poll();
    if (record.timestamp > this.streamTime) this.streamTime = record.timestamp;
    const ctx = this.context;
    ctx.setRecordContext(q.topic, q.partition, offset);
    ctx.currentNode = q.source;
    try {
      q.source.process(record);
    } catch (error) {
      this.onProcessingFailure(error, record);
    }
    ctx.currentNode = null;
    this.processed++;
    this.commitNeeded = true;
    if (this.streamTime >= this.nextStreamPunctuation) this.maybePunctuateStreamTime();
    return true;
  }

  /** Records buffered across the task's partitions. */
  numBuffered(): number {
    return this.partitionGroup.numBuffered();
  }

  /**
   * Idle-aware closing: once every input of the task has been idle for `idleMs` of wall-clock time
   * (nothing buffered, no lag, no new records), stream time advances with the wall clock from where the
   * records left it: `streamTime = lastRecordStreamTime + (now - lastInputAt)`. Stream-time
   * punctuations that fall due fire, so windows of quiet keys close and emit. The trade-off: a record
   * that arrives after such an advance with an older timestamp is late (dropped past grace).
   * @returns whether stream time moved
   */
  advanceIdleStreamTime(now: number, idleMs: number): boolean {
    if (this.taskState !== 'running' || this.streamTime < 0) return false;
    const idleFor = now - this.lastInputAt;
    if (idleFor < idleMs || this.partitionGroup.numBuffered() > 0 || this.lag() > 0) return false;
    if (this.idleBase < 0) this.idleBase = this.streamTime;
    const target = this.idleBase + idleFor;
    if (target <= this.streamTime) return false;
    this.streamTime = target;
    this.commitNeeded = true;
    this.maybePunctuateStreamTime();
    return true;
  }

  /** When the task's inputs count as idle (for the loop's sleep), or Infinity while records are buffered. */
  idleDueAt(idleMs: number): number {
    if (this.taskState !== 'running' || this.streamTime < 0 || this.partitionGroup.numBuffered() > 0) return Infinity;
    return this.lastInputAt + idleMs;
  }

  // RecordQueueOwner ---------------------------------------------------------------------------

  onDeserializationError(queue: RecordQueue, message: KafkaMessage, offset: number, error: Error): void {
    this.commitNeeded = true;
    const context: DeserializationErrorContext = {
      error,
      taskId: this.name,
      topic: queue.topic,
      partition: queue.partition,
      offset,
      timestamp: timestampOf(message),
      key: message.key,
      value: message.value,
      headers: message.headers,
    };
    if (this.options.onDeserializationError(context) === 'fail') {
      throw new StreamsError(describeDeserialization(context), { cause: error });
    }
  }

  onInvalidTimestamp(queue: RecordQueue, offset: number, timestamp: number): void {
    this.commitNeeded = true;
    this.options.logger.warn(
      `Task ${this.name}: dropping the record of ${queue.topic}-${queue.partition} at offset ${offset}: invalid (negative) timestamp ${timestamp}`,
    );
  }

  // Punctuation --------------------------------------------------------------------------------

  private nextStreamPunctuation = Infinity;

  schedule(node: RuntimeNode, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (type === 'stream-time') {
      // Kafka: aligned to 0, so the first punctuation fires with the first record.
      const s = this.streamPunctuations.schedule(new PunctuationSchedule(node, 0, intervalMs, punctuator));
      this.nextStreamPunctuation = this.streamPunctuations.nextDue();
      return s;
    }
    return this.wallPunctuations.schedule(new PunctuationSchedule(node, this.options.clock.now() + intervalMs, intervalMs, punctuator));
  }

  /** Fires stream-time punctuations due at the current stream time. */
  maybePunctuateStreamTime(): boolean {
    if (this.streamTime < 0) return false;
    const fired = this.streamPunctuations.mayPunctuate(this.streamTime, this.runStreamPunctuation);
    this.nextStreamPunctuation = this.streamPunctuations.nextDue();
    return fired;
  }

  /**
   * Before a stream-time punctuation, the task's other stores are flushed: their caches forward the
   * updates they hold, as at a commit. The punctuation may act on the task's stream time (window-close
   * checks, idle-aware closing) while records that moved it still wait in an upstream cache; without the
   * flush a window would close without them and they would come late. The punctuating node's own stores
   * are left alone (it reads them through their caches).
   */
  private flushStoresOtherThan(node: RuntimeNode): void {
    const own = this.storesOf(node);
    for (const s of this.stateManager.stores()) if (!own.includes(s.name)) s.store.flush();
  }

  /** Fires wall-clock punctuations due at the clock's time. */
  maybePunctuateSystemTime(): boolean {
    return this.wallPunctuations.mayPunctuate(this.options.clock.now(), this.runPunctuation);
  }

  /** When the next wall-clock punctuation is due (Infinity: none). */
  nextWallClockPunctuation(): number {
    return this.wallPunctuations.nextDue();
  }

  private punctuate(schedule: PunctuationSchedule<RuntimeNode>, time: number): void {
    const ctx = this.context;
    const previous = ctx.currentNode;
    const { topic, partition, offset } = ctx;
    ctx.setRecordContext(null, -1, -1);
    ctx.currentNode = schedule.owner;
    try {
      schedule.punctuator(time);
    } catch (error) {
      this.onProcessingFailure(error, null);
    }
    ctx.currentNode = previous;
    ctx.setRecordContext(topic, partition, offset);
    this.commitNeeded = true;
  }

  private onProcessingFailure(error: unknown, record: Record<unknown, unknown> | null): void {
    const ctx = this.context;
    const nodeName = ctx.currentNode?.name ?? '?';
    ctx.currentNode = null;
    if (error instanceof StreamsError) throw error; // a runtime failure already decided (handler said fail)
    const context: ProcessingErrorContext = {
      error,
      taskId: this.name,
      nodeName,
      topic: ctx.topic,
      partition: ctx.partition,
      offset: ctx.offset,
      record,
    };
    if (this.options.onProcessingError(context) === 'fail') {
      throw new StreamsError(describeProcessing(context), { cause: error });
    }
  }

  // TaskServices -------------------------------------------------------------------------------

  requestCommit(): void {
    this.commitRequested = true;
  }

  store(name: string): StateStore | undefined {
    return this.stateManager.store(name);
  }

  globalStore(name: string): StateStore | undefined {
    return this.options.globalStore?.(name);
  }

  storesOf(node: RuntimeNode): readonly string[] {
    return node instanceof ProcessorNode ? node.stores : [];
  }

  /** The task's store instances by name. */
  allStores(): ReadonlyMap<string, StateStore> {
    return new Map(this.stateManager.stores().map((s) => [s.name, s.store]));
  }

  // Commit -------------------------------------------------------------------------------------

  /** Commit step 1 for this task: flush every store. */
  flushStores(): void {
    this.stateManager.flush();
  }

  /** The next offset to process of every input partition that moved since the last commit. */
  offsetsToCommit(): TopicPartitionOffsetAndMetadata[] {
    const out: TopicPartitionOffsetAndMetadata[] = [];
    for (const q of this.partitionGroup.all()) {
      if (q.consumedOffset < 0) continue;
      const next = q.consumedOffset + 1;
      const key = partitionKey(q.topic, q.partition);
      if ((this.committed.get(key) ?? -1) >= next) continue;
      out.push({ topic: q.topic, partition: q.partition, offset: String(next) });
    }
    return out;
  }

  /** Remembers what was committed and clears the commit flags. */
  markCommitted(offsets: readonly TopicPartitionOffsetAndMetadata[]): void {
    for (const o of offsets) this.committed.set(partitionKey(o.topic, o.partition), Number(o.offset));
    this.commitNeeded = false;
    this.commitRequested = false;
  }

  /** The changelog offsets the task's stores reflect (`<topic> <partition>` -> offset). */
  changelogOffsets(): Map<string, number> {
    return this.stateManager.changelogOffsets();
  }

  /** Commit step 4 for this task: checkpoints the stores; returns the checkpoint file written (null: `writeFile` false). */
  checkpoint(writeFile = true): string | null {
    return this.stateManager.checkpoint(writeFile);
  }

  /** Whether the task has state stores (stateful tasks write a checkpoint). */
  get stateful(): boolean {
    return this.layout.def.storeNames.length > 0;
  }

  /** Total lag of the task's partitions by the last known high watermarks. */
  lag(): number {
    let n = 0;
    for (const q of this.partitionGroup.all()) n += q.lag();
    return n;
  }

  /** Closes processors and stores and drops buffered records. Idempotent. */
  close(): void {
    if (this.taskState === 'closed') return;
    const hadProcessors = this.nodesInitialized;
    this.transition('closed');
    this.partitionGroup.clear();
    this.streamPunctuations.clear();
    this.wallPunctuations.clear();
    let failure: unknown = null;
    if (hadProcessors) {
      for (const node of this.nodes) {
        try {
          node.close();
        } catch (error) {
          failure ??= error;
        }
      }
    }
    const storeFailure = this.stateManager.close();
    failure ??= storeFailure;
    if (failure !== null) throw new StreamsError(`Task ${this.name}: closing failed`, { cause: failure });
  }

  get isClosed(): boolean {
    return this.taskState === 'closed';
  }
}
