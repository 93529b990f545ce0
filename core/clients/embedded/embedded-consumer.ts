/**
 * The kafkajs-shaped consumer of the embedded log: a member of a consumer group on the in-process
 * {@link GroupCoordinator}, reading the partition logs directly. `run()` joins the group and resolves
 * once the first assignment is positioned; the loop ({@link ConsumerRunner}) keeps going in the
 * background until `stop()` / `disconnect()`, or until a handler throws (`consumer.crash`).
 *
 * Tributary options on top of kafkajs's: `autoOffsetReset` ('earliest' | 'latest' | 'none'; default from
 * subscribe's `fromBeginning`), `onPartitionsAssigned` / `onPartitionsRevoked` (awaited around every
 * rebalance), and assignors given as {@link PartitionAssignor}s or by name.
 *
 * Isolation (kafkajs's `readUncommitted`, default false): read_committed returns nothing at or past a
 * partition's last stable offset and skips the records of aborted transactions; the position still moves
 * past them and past transaction markers. A batch's `highWatermark` is then the last stable offset (what
 * the consumer can reach), so lag counts only readable records. `readUncommitted: true` reads everything.
 */
import type { PartitionAssignor } from '../../log/assignors/partition-assignor.ts';
import { RangeAssignor } from '../../log/assignors/range-assignor.ts';
import { RoundRobinAssignor } from '../../log/assignors/round-robin-assignor.ts';
import { StickyAssignor } from '../../log/assignors/sticky-assignor.ts';
import {
  ConsumerEvents,
  type AssignorName,
  type AutoOffsetReset,
  type Consumer,
  type ConsumerEventName,
  type ConsumerOptions,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type GroupDescription,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
  type TopicPartitionOffset,
  type TopicPartitionOffsetAndMetadata,
  type TopicPartitions,
} from '../log-client.ts';
import { InstrumentationEmitter } from '../instrumentation-emitter.ts';
import type { AppendNotifier } from './append-notifier.ts';
import { topicPartitionCount, type EmbeddedContext } from './embedded-context.ts';
import type { ConsumerHost, ResolvedConsumerOptions } from './consumer-host.ts';
import { ConsumerGroupMember } from './consumer-group-member.ts';
import { ConsumerRunner } from './consumer-runner.ts';
import { EARLIEST_OFFSET, LATEST_OFFSET } from './partition-positioner.ts';
import { toGroupDescription } from './group-description.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError } from '../../errors/log-errors.ts';

const BUILT_IN_ASSIGNORS: Record<AssignorName, () => PartitionAssignor> = {
  range: () => new RangeAssignor(),
  roundrobin: () => new RoundRobinAssignor(),
  sticky: () => new StickyAssignor(),
};

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * A consumer-group member reading the embedded log. Created by {@link EmbeddedLog.consumer}.
 *
 * @example
 * const consumer = log.consumer({ groupId: 'billing' });
 * await consumer.connect();
 * await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
 * await consumer.run({ eachMessage: async ({ message }) => console.log(message.offset, message.value?.toString()) });
 */
export class EmbeddedConsumer implements Consumer, ConsumerHost {
  readonly events = ConsumerEvents;
  readonly groupId: string;
  readonly emitter: InstrumentationEmitter;
  readonly options: ResolvedConsumerOptions;
  private state: 'new' | 'connected' | 'closed' = 'new';
  private releaseKeepAlive: () => void = () => undefined;
  private readonly topics = new Map<string, boolean>(); // topic -> fromBeginning
  private readonly patterns: { pattern: RegExp; fromBeginning: boolean }[] = [];
  private readonly pausedTopics = new Set<string>();
  private readonly pausedPartitions = new Set<string>();
  private readonly pendingSeeks = new Map<string, number>();
  private readonly member: ConsumerGroupMember;
  private readonly autoOffsetReset: AutoOffsetReset | undefined;
  private readonly allowAutoTopicCreation: boolean;
  private runner: ConsumerRunner | null = null;

  constructor(
    readonly ctx: EmbeddedContext,
    readonly notifier: AppendNotifier,
    options: ConsumerOptions,
    private readonly onClosed: (consumer: EmbeddedConsumer) => void = () => undefined,
  ) {
    if (options === undefined || typeof options.groupId !== 'string' || options.groupId.length === 0) {
      throw new InvalidArgumentError('A consumer needs a non-empty groupId');
    }
    this.groupId = options.groupId;
    this.autoOffsetReset = options.autoOffsetReset;
    if (this.autoOffsetReset !== undefined && !['earliest', 'latest', 'none'].includes(this.autoOffsetReset)) {
      throw new InvalidArgumentError(`autoOffsetReset must be earliest, latest or none, got "${String(this.autoOffsetReset)}"`);
    }
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.options = {
      maxBytesPerPartition: positive(options.maxBytesPerPartition, 1_048_576, 'maxBytesPerPartition'),
      maxBytes: positive(options.maxBytes, 10_485_760, 'maxBytes'),
      minBytes: positive(options.minBytes, 1, 'minBytes'),
      maxWaitTimeInMs: positive(options.maxWaitTimeInMs, 5000, 'maxWaitTimeInMs'),
      readCommitted: options.readUncommitted !== true,
      onPartitionsAssigned: options.onPartitionsAssigned,
      onPartitionsRevoked: options.onPartitionsRevoked,
    };
    this.emitter = new InstrumentationEmitter(ctx.clock, ctx.logger);
    const assignors = (options.partitionAssigners ?? ['roundrobin', 'range', 'sticky']).map((a) => {
      if (typeof a !== 'string') return a;
      const make = BUILT_IN_ASSIGNORS[a];
      if (make === undefined) throw new InvalidArgumentError(`Unknown assignor "${a}" (range, roundrobin or sticky)`);
      return make();
    });
    if (assignors.length === 0) throw new InvalidArgumentError('partitionAssigners must not be empty');
    this.member = new ConsumerGroupMember({
      groupId: this.groupId,
      clientId: options.clientId ?? 'tributary',
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: positive(options.sessionTimeout, 30_000, 'sessionTimeout'),
      rebalanceTimeoutMs: positive(options.rebalanceTimeout, 60_000, 'rebalanceTimeout'),
      heartbeatIntervalMs: positive(options.heartbeatInterval, 3000, 'heartbeatInterval'),
      assignors,
      coordinator: ctx.coordinator,
      logManager: ctx.logManager,
      clock: ctx.clock,
      logger: ctx.logger,
      onRejoinNeeded: () => this.runner?.signal.wake(),
      onHeartbeat: () => {
        if (this.emitter.has(ConsumerEvents.HEARTBEAT)) {
          this.emitter.emit(ConsumerEvents.HEARTBEAT, {
            groupId: this.groupId,
            memberId: this.member.memberId,
            groupGenerationId: this.member.generationId,
          });
        }
      },
    });
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new ClosedError(`Consumer of group "${this.groupId}"`);
    if (this.state === 'connected') return;
    this.state = 'connected';
    this.releaseKeepAlive = this.ctx.keepAlive.acquire();
    this.emitter.emit(ConsumerEvents.CONNECT, null);
  }

  /** Stops (commit, revoke, leave) and closes; later calls throw ClosedError. */
  async disconnect(): Promise<void> {
    if (this.state === 'closed') return;
    try {
      await this.stop();
    } finally {
      this.state = 'closed';
      this.releaseKeepAlive();
    }
    this.emitter.emit(ConsumerEvents.DISCONNECT, null);
    this.onClosed(this);
  }

  /**
   * Adds topics to the subscription. RegExps match the topics that exist now. With auto topic creation
   * (default), missing topics named by string are created.
   * @throws IllegalStateError while running
   */
  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    this.assertConnected();
    if (this.runner !== null) throw new IllegalStateError(`Cannot subscribe while consumer of group "${this.groupId}" is running`);
    const list = 'topics' in subscription ? subscription.topics : [subscription.topic];
    if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError('subscribe() needs at least one topic');
    const fromBeginning = subscription.fromBeginning ?? false;
    for (const t of list) {
      if (t instanceof RegExp) {
        this.patterns.push({ pattern: t, fromBeginning });
      } else if (typeof t === 'string' && t.length > 0) {
        await topicPartitionCount(this.ctx, t, this.allowAutoTopicCreation);
        this.topics.set(t, fromBeginning);
      } else {
        throw new InvalidArgumentError(`Invalid topic ${String(t)}`);
      }
    }
  }

  /**
   * Starts consuming: joins the group and positions the first assignment, then resolves; consumption
   * continues in the background.
   * @throws IllegalStateError when already running; NoCommittedOffsetError (autoOffsetReset 'none')
   */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    this.assertConnected();
    if (this.runner !== null) throw new IllegalStateError(`Consumer of group "${this.groupId}" is already running`);
    if (typeof config.eachMessage !== 'function' && typeof config.eachBatch !== 'function') {
      throw new InvalidArgumentError('run() needs eachMessage or eachBatch');
    }
    const runner = new ConsumerRunner(this, this.member, config);
    this.runner = runner;
    try {
      await runner.start();
    } catch (error) {
      if (this.runner === runner) this.runner = null;
      runner.running = false;
      this.member.leave();
      this.emitter.emit(ConsumerEvents.CRASH, { error, groupId: this.groupId, restart: false });
      throw error;
    }
  }

  /** Stops the loop, commits (autoCommit), calls onPartitionsRevoked and leaves the group. */
  async stop(): Promise<void> {
    const runner = this.runner;
    if (runner === null) return;
    this.runner = null;
    await runner.stop();
    this.emitter.emit(ConsumerEvents.STOP, null);
  }

  /**
   * Test hook: the consumer stops heartbeating and fetching but does not leave its group — what a hung
   * process looks like to the coordinator. Its session expires and its partitions move to other members.
   */
  simulateHang(): void {
    this.runner?.hang();
  }

  /**
   * Commits offsets (the next offset to read, as Kafka) with optional metadata, under the current
   * generation, or standalone when the consumer is not in the group.
   */
  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.assertConnected();
    const offsets = topicPartitions.map(({ topic, partition, offset, metadata }) => {
      const o = parseOffset(offset, `${topic}-${partition}`);
      if (o < 0) throw new InvalidArgumentError(`Cannot commit negative offset ${offset} for ${topic}-${partition}`);
      return { topic, partition, offset: o, metadata: metadata ?? null };
    });
    await this.member.commit(offsets);
    const runner = this.runner;
    if (runner !== null) {
      for (const o of offsets) {
        const p = runner.assigned.get(tpKey(o.topic, o.partition));
        if (p !== undefined) {
          p.committed = o.offset;
          p.uncommitted = 0;
        }
      }
    }
  }

  /**
   * Moves consumption of a partition to `offset` ('-1' latest, '-2' earliest). With autoCommit the new
   * offset is committed at once (kafkajs does the same). A seek before the partition is assigned applies
   * when it is.
   */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    if (typeof topic !== 'string' || topic.length === 0) throw new InvalidArgumentError(`Invalid topic ${String(topic)}`);
    if (!Number.isInteger(partition) || partition < 0) throw new InvalidArgumentError(`Invalid partition ${String(partition)}`);
    const o = parseOffset(offset, `${topic}-${partition}`);
    if (o < 0 && o !== LATEST_OFFSET && o !== EARLIEST_OFFSET) {
      throw new InvalidArgumentError(`Offset ${offset} for ${topic}-${partition} must not be negative (except -1 latest, -2 earliest)`);
    }
    const runner = this.runner;
    if (runner === null) throw new IllegalStateError('Consumer is not running: call run() before seek()');
    const p = runner.assigned.get(tpKey(topic, partition));
    if (p === undefined || p.log === null) {
      this.pendingSeeks.set(tpKey(topic, partition), o);
      return;
    }
    const latest = this.options.readCommitted ? p.log.lastStableOffset : p.log.highWatermark;
    const target = o === LATEST_OFFSET ? latest : o === EARLIEST_OFFSET ? p.log.logStartOffset : o;
    runner.seek(p, target);
    if (runner.config.autoCommit !== false) {
      this.member.commit([{ topic, partition, offset: target, metadata: null }]).then(
        () => {
          if (p.position === target) p.committed = target;
        },
        (error: unknown) => this.ctx.logger.warn(`Committing seek of ${topic}-${partition} to ${target} failed: ${String(error)}`),
      );
    }
  }

  async describeGroup(): Promise<GroupDescription> {
    this.assertConnected();
    return toGroupDescription(this.ctx.coordinator.describeGroup(this.groupId));
  }

  /** Pauses whole topics or some of their partitions: nothing is fetched from them until resumed. */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of validateTopicPartitions(topics)) {
      if (partitions === undefined) this.pausedTopics.add(topic);
      else for (const p of partitions) this.pausedPartitions.add(tpKey(topic, p));
    }
  }

  /** Resumes paused topics or partitions and wakes the consumer. */
  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of validateTopicPartitions(topics)) {
      if (partitions === undefined) {
        this.pausedTopics.delete(topic);
        for (const k of [...this.pausedPartitions]) if (k.startsWith(`${topic}\u0000`)) this.pausedPartitions.delete(k);
      } else {
        for (const p of partitions) this.pausedPartitions.delete(tpKey(topic, p));
      }
    }
    this.runner?.signal.wake();
  }

  /** Paused topic-partitions: explicit partition pauses plus the assigned partitions of paused topics. */
  paused(): TopicPartitions[] {
    const byTopic = new Map<string, Set<number>>();
    const add = (topic: string, partition: number): void => {
      let set = byTopic.get(topic);
      if (set === undefined) byTopic.set(topic, (set = new Set()));
      set.add(partition);
    };
    for (const k of this.pausedPartitions) {
      const i = k.lastIndexOf('\u0000');
      add(k.slice(0, i), Number(k.slice(i + 1)));
    }
    for (const p of this.runner?.assigned.values() ?? []) if (this.pausedTopics.has(p.topic)) add(p.topic, p.partition);
    for (const topic of this.pausedTopics) if (!byTopic.has(topic)) byTopic.set(topic, new Set());
    return [...byTopic].map(([topic, set]) => ({ topic, partitions: [...set].sort((a, b) => a - b) }));
  }

  on(eventName: ConsumerEventName, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    return this.emitter.on(eventName, listener);
  }

  // ConsumerHost ---------------------------------------------------------------------------------

  async subscribedTopics(): Promise<string[]> {
    const names = new Set(this.topics.keys());
    if (this.patterns.length > 0) {
      for (const t of this.ctx.logManager.listTopics()) {
        if (t.internal) continue;
        if (this.patterns.some(({ pattern }) => matches(pattern, t.name))) names.add(t.name);
      }
    }
    return [...names].sort();
  }

  resetPolicy(topic: string): AutoOffsetReset {
    if (this.autoOffsetReset !== undefined) return this.autoOffsetReset;
    let fromBeginning = this.topics.get(topic);
    if (fromBeginning === undefined) fromBeginning = this.patterns.find(({ pattern }) => matches(pattern, topic))?.fromBeginning ?? false;
    return fromBeginning ? 'earliest' : 'latest';
  }

  isPaused(topic: string, partition: number): boolean {
    if (this.pausedTopics.size === 0 && this.pausedPartitions.size === 0) return false;
    return this.pausedTopics.has(topic) || this.pausedPartitions.has(tpKey(topic, partition));
  }

  pausePartition(topic: string, partition: number): void {
    this.pausedPartitions.add(tpKey(topic, partition));
  }

  resumePartition(topic: string, partition: number): void {
    this.resume([{ topic, partitions: [partition] }]);
  }

  takeSeek(topic: string, partition: number): number | undefined {
    const k = tpKey(topic, partition);
    const offset = this.pendingSeeks.get(k);
    this.pendingSeeks.delete(k);
    return offset;
  }

  async crash(error: unknown): Promise<void> {
    this.ctx.logger.error(`Consumer of group "${this.groupId}" crashed: ${String(error)}`, { error });
    this.emitter.emit(ConsumerEvents.CRASH, { error, groupId: this.groupId, restart: false });
    const runner = this.runner;
    if (runner !== null) {
      this.runner = null;
      this.member.leave();
    }
  }

  private assertConnected(): void {
    if (this.state === 'closed') throw new ClosedError(`Consumer of group "${this.groupId}"`);
    if (this.state !== 'connected') throw new IllegalStateError('Consumer is not connected: call connect() first');
  }
}

function matches(pattern: RegExp, name: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(name);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got ${value}`);
  return value;
}

function parseOffset(offset: string | number, where: string): number {
  const n = typeof offset === 'number' ? offset : /^-?\d+$/.test(String(offset)) ? Number(offset) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`Invalid offset "${String(offset)}" for ${where}`);
  return n;
}

function validateTopicPartitions(topics: { topic: string; partitions?: number[] }[]): { topic: string; partitions?: number[] }[] {
  if (!Array.isArray(topics)) throw new InvalidArgumentError('Expected an array of { topic, partitions? }');
  for (const t of topics) {
    if (t === null || typeof t !== 'object' || typeof t.topic !== 'string' || t.topic.length === 0) {
      throw new InvalidArgumentError(`Invalid topic ${String(t?.topic)}`);
    }
    if (t.partitions !== undefined && (!Array.isArray(t.partitions) || t.partitions.some((p) => !Number.isInteger(p)))) {
      throw new InvalidArgumentError(`Invalid partitions for topic "${t.topic}": expected an array of integers`);
    }
  }
  return topics;
}
