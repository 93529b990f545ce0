/**
 * The TopologyTestDriver: runs a {@link PhysicalTopology} in process, deterministically, with a virtual
 * wall clock and no log at all. It executes the same {@link StreamTask}s (processor graph, context,
 * record queues, stream time, punctuations, source and sink nodes, error handlers) as the real runtime;
 * it replaces only where records come from (test input topics) and the record collector (records are
 * captured per topic in memory).
 *
 * Every topic has one partition (as in Kafka's TopologyTestDriver), so each sub-topology runs as task
 * `<id>_0`. A piped record is processed to completion before `pipeInput` returns: records the topology
 * writes to its repartition topics are fed back to the sub-topology that reads them, until no task has
 * anything buffered; then the stores are flushed (a commit), and records that flush writes (a cache
 * forwarding its latest values to a repartition or subscription topic) are processed and committed in
 * turn, until nothing is left. `advanceWallClockTime` moves the virtual clock, fires wall-clock
 * punctuations and processes what they produced the same way.
 *
 * Global stores (`topology.globalStores`, GlobalKTables) live in one more task, `global`, fed by their
 * input topics; every processor reads them by name, and `getStateStore` returns them.
 *
 * Serdes: the driver uses exactly the serdes given to the topology and to the test topics; how an
 * int64 reads (number or bigint) is the serde's choice (`Serdes.int64()` / `Serdes.int64Big()`).
 */
import type { TopicPartition } from '../log/assignors/partition-assignor.ts';
import type { RecordHeader } from '../log/log-contracts.ts';
import type { StateStore } from '../processor/state-store.ts';
import type { Serde } from '../serde/serde.ts';
import { ManualClock } from '../time/clock.ts';
import type { PhysicalTopology, SourceNodeDef, StreamPartitioner } from '../topology/physical-topology.ts';
import { prepareSerdes } from './topic-preparation.ts';
import { StreamsError, TopologyError } from '../errors/streams-errors.ts';
import { IllegalStateError } from '../errors/log-errors.ts';
import { resolveDeserializationHandler } from './dead-letter.ts';
import {
  describeProcessing,
  describeProduction,
  resolveHandler,
  type DeserializationErrorHandler,
  type HandlerLogger,
  type ProcessingErrorContext,
  type ProcessingErrorHandler,
  type ProductionErrorContext,
  type ProductionErrorHandler,
} from './error-handlers.ts';
import type { RecordCollector } from './record-collector.ts';
import { StreamTask } from './stream-task.ts';
import { buildGlobalTask, type GlobalStoresCarrier } from './global-stream-thread.ts';
import { TestInputTopic, type InputTopicSink, type TestInputTopicOptions } from './test-input-topic.ts';
import { TestOutputTopic, type OutputTopicSource } from './test-output-topic.ts';
import { DriverMessage, type CapturedRecord } from './test-record.ts';
import { TopologyLayout } from './topology-layout.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessingGuarantee } from './streams-config.ts';

/** Options of {@link TopologyTestDriver}. */
export interface TopologyTestDriverConfig {
  /** Default `'test-driver'`; prefixes internal topic names as in the real runtime. */
  readonly applicationId?: string;
  /** The virtual wall clock's start. Default 0. */
  readonly initialWallClockTimeMs?: number;
  readonly defaultKeySerde?: Serde<any>;
  readonly defaultValueSerde?: Serde<any>;
  readonly deserializationErrorHandler?: DeserializationErrorHandler;
  readonly processingErrorHandler?: ProcessingErrorHandler;
  readonly productionErrorHandler?: ProductionErrorHandler;
  /**
   * Where stores of the driver's tasks keep files. Default: a fresh temporary directory, deleted by
   * {@link TopologyTestDriver.close}. Local state found in a given directory is wiped at start (the
   * driver has no changelog to restore from).
   */
  readonly stateDir?: string;
  /**
   * Idle-aware closing, as the runtime's `idleAdvanceMs`: once a task has had no input for this long on
   * the virtual wall clock, {@link TopologyTestDriver.advanceWallClockTime} advances its stream time
   * with the clock (so windows of quiet keys close). Off by default.
   */
  readonly idleAdvanceMs?: number;
  /** Default: warnings and errors dropped (tests assert outcomes instead). */
  readonly logger?: HandlerLogger;
  /**
   * Accepted so an application's config can be handed to the driver as it is; it changes nothing: the
   * driver processes each record exactly once and its commits are synchronous, with no log, so there is
   * no transaction to open (outputs are readable at once, as read_committed readers would see them after
   * each commit).
   */
  readonly processingGuarantee?: ProcessingGuarantee;
}

const quietLogger: HandlerLogger = { warn: () => undefined, error: () => undefined };

/**
 * Runs a topology on virtual time without a log.
 *
 * @example
 * const driver = new TopologyTestDriver(builder.build());
 * const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
 * const output = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
 * input.pipeInput('k', 'hello', 1_000);
 * output.readKeyValue(); // { key: 'k', value: 'HELLO' } for a mapValues(toUpperCase) topology
 * driver.close();
 */
export class TopologyTestDriver implements InputTopicSink, OutputTopicSource {
  readonly applicationId: string;
  private readonly clock: ManualClock;
  private readonly layout: TopologyLayout;
  private readonly tasks: StreamTask[] = [];
  private readonly outputs = new Map<string, CapturedRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly patternSources: { sub: number; source: SourceNodeDef }[] = [];
  private readonly routed = new Map<string, StreamTask>();
  private processing = false;
  /** Records fed to tasks so far (tells whether a commit's flush produced input). */
  private enqueued = 0;
  private closed = false;
  private readonly ownedStateDir: string | null;
  /** The task of the global stores (GlobalKTables), or null. */
  private globalTask: StreamTask | null = null;

  /** @throws TopologyError when a source or sink lacks a serde and no default is configured */
  constructor(
    readonly topology: PhysicalTopology,
    private readonly config: TopologyTestDriverConfig = {},
  ) {
    this.applicationId = config.applicationId ?? 'test-driver';
    this.clock = new ManualClock(config.initialWallClockTimeMs ?? 0);
    this.layout = TopologyLayout.resolve(topology, this.applicationId, []);
    const logger = config.logger ?? quietLogger;
    const collector = this.collector();
    const onProductionError = resolveHandler<ProductionErrorContext>(config.productionErrorHandler, logger, describeProduction);
    const onDeserializationError = resolveDeserializationHandler(config.deserializationErrorHandler, collector, logger);
    const onProcessingError = resolveHandler<ProcessingErrorContext>(config.processingErrorHandler, logger, describeProcessing);
    this.ownedStateDir = config.stateDir === undefined ? mkdtempSync(join(tmpdir(), 'tributary-test-driver-')) : null;
    const stateDir = config.stateDir ?? this.ownedStateDir!;
    for (const sub of this.layout.subtopologies) {
      const partitions: TopicPartition[] = sub.sourceTopics.map((topic) => ({ topic, partition: 0 }));
      const task = new StreamTask({ subtopology: sub.id, partition: 0 }, sub, partitions, {
        applicationId: this.applicationId,
        clock: this.clock,
        collector,
        defaultKeySerde: config.defaultKeySerde,
        defaultValueSerde: config.defaultValueSerde,
        storeBuilders: topology.storeBuilders,
        taskDir: join(stateDir, this.applicationId, `${sub.id}_0`),
        logger,
        onDeserializationError,
        onProcessingError,
        onProductionError,
        globalStore: (name) => this.globalTask?.store(name),
      });
      this.tasks.push(task);
      for (const topic of sub.sourceTopics) this.routed.set(topic, task);
      for (const source of sub.def.sources) if (source.topics instanceof RegExp) this.patternSources.push({ sub: sub.id, source });
    }
    const globalDefs = (topology as GlobalStoresCarrier).globalStores ?? [];
    if (globalDefs.length > 0) {
      const topics = [...new Set(globalDefs.map((d) => d.topic))];
      this.globalTask = buildGlobalTask(globalDefs, topics.map((topic) => ({ topic, partition: 0 })), {
        applicationId: this.applicationId,
        clock: this.clock,
        taskDir: join(stateDir, this.applicationId, 'global'),
        logger,
      });
      for (const topic of topics) this.routed.set(topic, this.globalTask);
    }
    for (const task of this.globalTask === null ? this.tasks : [this.globalTask, ...this.tasks]) {
      task.initializeStores();
      for (const s of task.stateManager.stores()) if (s.store.persistent && task.stateManager.localOffset(s) !== null) task.stateManager.wipe(s);
      task.completeRestoration();
    }
  }

  /**
   * Awaits the `prepare` hook of every serde the topology names for its fixed topics (schema
   * registration of registry-backed serdes). Call it before piping when such serdes are used.
   */
  async prepare(): Promise<void> {
    await prepareSerdes(this.layout, this.config.defaultKeySerde, this.config.defaultValueSerde);
  }

  /** An input topic; records piped into it are processed at once. */
  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: TestInputTopicOptions = {}): TestInputTopic<K, V> {
    this.assertOpen();
    return new TestInputTopic(this, topic, keySerde, valueSerde, options.startTimestamp ?? this.clock.now(), options.autoAdvanceMs ?? 0);
  }

  /** An output topic reading what the topology wrote to `topic` (topics share one queue per name). */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    this.assertOpen();
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /** Names of the topics the topology has written to so far. */
  producedTopicNames(): string[] {
    return [...this.outputs.keys()];
  }

  /** Moves the virtual wall clock forward, firing wall-clock punctuations that fall due. */
  advanceWallClockTime(ms: number): void {
    this.assertOpen();
    if (!(ms >= 0)) throw new IllegalStateError(`advanceWallClockTime needs a non-negative duration, got ${ms}`);
    this.clock.advance(ms);
    const idle = this.config.idleAdvanceMs;
    for (const task of this.tasks) {
      task.maybePunctuateSystemTime();
      if (idle !== undefined) task.advanceIdleStreamTime(this.clock.now(), idle);
    }
    this.processAll();
  }

  /** The virtual wall-clock time. */
  get wallClockTime(): number {
    return this.clock.now();
  }

  /**
   * A state store by name (from the task that holds it).
   * @throws TopologyError when no task has a store of that name
   */
  getStateStore<S extends StateStore>(name: string): S {
    const global = this.globalTask?.store(name);
    if (global !== undefined) return global as S;
    for (const task of this.tasks) {
      const store = task.store(name);
      if (store !== undefined) return store as S;
    }
    throw new TopologyError(`The topology has no state store "${name}"`);
  }

  /** Closes the tasks (processors and stores) and deletes the driver's own state directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const task of this.tasks) task.close();
      this.globalTask?.close();
    } finally {
      if (this.ownedStateDir !== null) rmSync(this.ownedStateDir, { recursive: true, force: true });
    }
  }

  // InputTopicSink / OutputTopicSource ----------------------------------------------------------

  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[], timestamp: number): void {
    this.assertOpen();
    const task = this.taskFor(topic);
    if (task === undefined) throw new TopologyError(`Unknown input topic "${topic}": no source of the topology reads it`);
    this.enqueue(task, topic, key, value, headers, timestamp);
    this.processAll();
  }

  captured(topic: string): CapturedRecord[] {
    let list = this.outputs.get(topic);
    if (list === undefined) this.outputs.set(topic, (list = []));
    return list;
  }

  // Internals ----------------------------------------------------------------------------------

  private collector(): RecordCollector {
    const capture = (topic: string, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[], timestamp: number): void => {
      this.captured(topic).push({ key, value, headers, timestamp });
      const task = this.routed.get(topic);
      if (task !== undefined) this.enqueue(task, topic, key, value, headers, timestamp);
    };
    return {
      send: (topic, key, value, headers, timestamp) => capture(topic, key, value, headers, timestamp),
      sendPartitioned: (topic, key, value, headers, timestamp, partitioner: StreamPartitioner<unknown, unknown>, typedKey, typedValue) => {
        const p = partitioner(topic, typedKey, typedValue, 1);
        if (p !== undefined && p !== 0) {
          throw new StreamsError(`The stream partitioner returned partition ${String(p)} for topic "${topic}", which has 1 partition in the test driver`);
        }
        capture(topic, key, value, headers, timestamp);
      },
      sendBuffered: () => undefined,
      flush: async () => undefined,
      get pending() {
        return 0;
      },
      lastOffset: (topic) => (this.outputs.get(topic)?.length ?? 0) - 1,
      trackOffsets: () => undefined,
    };
  }

  private taskFor(topic: string): StreamTask | undefined {
    const known = this.routed.get(topic);
    if (known !== undefined) return known;
    for (const { sub, source } of this.patternSources) {
      const pattern = source.topics as RegExp;
      pattern.lastIndex = 0;
      if (!pattern.test(topic)) continue;
      const task = this.tasks[sub]!;
      task.addInputPartition(topic, 0, source.name);
      this.routed.set(topic, task);
      return task;
    }
    return undefined;
  }

  private enqueue(task: StreamTask, topic: string, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[], timestamp: number): void {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    this.enqueued++;
    task.addRecords(topic, 0, [new DriverMessage(key, value, headers, timestamp, offset)], offset + 1);
  }

  /**
   * Processes until no task has anything buffered, then commits; repeats while the commit's flush
   * (caches forwarding their latest values) wrote records to topics the topology reads, so a piped
   * record is processed to completion with caching on as with caching off.
   */
  private processAll(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      const all = this.globalTask === null ? this.tasks : [this.globalTask, ...this.tasks];
      for (let more = true; more; ) {
        for (let busy = true; busy; ) {
          busy = false;
          for (const task of all) while (task.processOne()) busy = true;
        }
        const enqueuedBefore = this.enqueued;
        for (const task of all) {
          if (!task.commitNeeded && !task.commitRequested) continue;
          task.flushStores();
          task.markCommitted(task.offsetsToCommit());
          if (task.stateful) task.checkpoint(false);
        }
        more = this.enqueued !== enqueuedBefore;
      }
    } finally {
      this.processing = false;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new IllegalStateError('The TopologyTestDriver is closed');
  }
}
