/**
 * The LogClient consumer over a kafkajs consumer, with Tributary's extensions:
 *
 * - `partitionAssigners` are Tributary {@link PartitionAssignor}s (or built-in names), bridged into
 *   kafkajs's assigner API with Kafka's ConsumerProtocol encodings ({@link toKafkajsAssigner}); each
 *   member advertises the partitions it owned, so sticky assignors keep them in place;
 * - `onPartitionsRevoked` / `onPartitionsAssigned`, awaited around every rebalance (eager, as Kafka's
 *   classic protocol and the embedded consumer):
 *   1. kafkajs notices the rebalance (a heartbeat or fetch answers REBALANCE_IN_PROGRESS) and stops fetching;
 *   2. before its JoinGroup goes out (kafkajs looks the group coordinator up first: that lookup waits
 *      for this step), `onPartitionsRevoked(every assigned partition)` runs while the old generation
 *      still accepts offset commits;
 *   3. join + sync; the leader runs the assignor;
 *   4. on `consumer.group_join`, `onPartitionsAssigned(new assignment)` starts; no batch is handed to
 *      `eachBatch` / `eachMessage` before it finished.
 *   `stop()` / `disconnect()` revoke the same way before leaving the group.
 * - `autoOffsetReset` ('earliest' | 'latest') wins over subscribe's `fromBeginning`.
 *
 * Differences from the embedded consumer: `autoOffsetReset: 'none'` and static membership
 * (`groupInstanceId`) are not available in kafkajs; `commitOffsets` and `seek` need `run()` first; the
 * default `maxWaitTimeInMs` is the smaller of 5000 and the heartbeat interval, because kafkajs only
 * heartbeats between fetches.
 */
import type {
  Cluster,
  Consumer as KjsConsumer,
  ConsumerConfig as KjsConsumerConfig,
  EachBatchPayload as KjsEachBatchPayload,
  Kafka,
} from 'kafkajs';
import type { PartitionAssignor } from '../../log/assignors/partition-assignor.ts';
import { RangeAssignor } from '../../log/assignors/range-assignor.ts';
import { RoundRobinAssignor } from '../../log/assignors/round-robin-assignor.ts';
import { StickyAssignor } from '../../log/assignors/sticky-assignor.ts';
import {
  ConsumerEvents,
  type AssignorName,
  type ClientLogger,
  type Consumer,
  type ConsumerEventName,
  type ConsumerOptions,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type EachBatchPayload,
  type GroupDescription,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
  type TopicPartitionOffset,
  type TopicPartitionOffsetAndMetadata,
  type TopicPartitions,
} from '../log-client.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError } from '../../errors/log-errors.ts';
import { toKafkajsAssigner } from './kafkajs-assigner.ts';
import { toTributaryError, translated } from './kafka-client-error.ts';

const BUILT_IN_ASSIGNORS: Record<AssignorName, () => PartitionAssignor> = {
  range: () => new RangeAssignor(),
  roundrobin: () => new RoundRobinAssignor(),
  sticky: () => new StickyAssignor(),
};

/** What the consumer needs from its client. */
export interface KafkajsConsumerContext {
  readonly kafka: Kafka;
  readonly logger: ClientLogger;
  /** Describes the group through an admin client (kept off the consumer's own coordinator lookups). */
  describeGroup(groupId: string): Promise<GroupDescription>;
}

/**
 * A consumer-group member on a Kafka cluster or `tributary broker`. Created by {@link KafkajsLogClient.consumer}.
 *
 * @example
 * const consumer = client.consumer({ groupId: 'billing', onPartitionsAssigned: (a) => console.log(a) });
 * await consumer.connect();
 * await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
 * await consumer.run({ eachBatch: async ({ batch }) => console.log(batch.messages.length) });
 */
export class KafkajsConsumer implements Consumer {
  readonly events = ConsumerEvents;
  readonly groupId: string;
  private readonly inner: KjsConsumer;
  private state: 'new' | 'connected' | 'closed' = 'new';
  private running = false;
  private stopping = false;
  /** The partitions assigned now; emptied when revoked. */
  private assigned: TopicPartitions[] = [];
  /** The last assignment received, kept across revocation: advertised as owned in the next join. */
  private lastAssignment: TopicPartitions[] = [];
  private revocation: Promise<void> | null = null;
  /** Settles once `onPartitionsAssigned` of the last assignment finished; batches wait for it. */
  private assignmentReady: Promise<void> = Promise.resolve();
  private lastCrash: unknown = null;

  constructor(
    private readonly ctx: KafkajsConsumerContext,
    private readonly options: ConsumerOptions,
    private readonly onClosed: (consumer: KafkajsConsumer) => void = () => undefined,
  ) {
    if (options === undefined || typeof options.groupId !== 'string' || options.groupId.length === 0) {
      throw new InvalidArgumentError('A consumer needs a non-empty groupId');
    }
    this.groupId = options.groupId;
    const reset = options.autoOffsetReset;
    if (reset !== undefined && reset !== 'earliest' && reset !== 'latest') {
      throw new InvalidArgumentError(`autoOffsetReset "${String(reset)}" is not available with the kafkajs backend (earliest or latest)`);
    }
    if (options.groupInstanceId !== undefined) {
      ctx.logger.warn(`Consumer of group "${this.groupId}": groupInstanceId is ignored (kafkajs has no static membership)`);
    }
    const assignors = (options.partitionAssigners ?? ['roundrobin', 'range', 'sticky']).map((a) => {
      if (typeof a !== 'string') return a;
      const make = BUILT_IN_ASSIGNORS[a];
      if (make === undefined) throw new InvalidArgumentError(`Unknown assignor "${a}" (range, roundrobin or sticky)`);
      return make();
    });
    if (assignors.length === 0) throw new InvalidArgumentError('partitionAssigners must not be empty');
    let hooked = false;
    const partitionAssigners = assignors.map((assignor) =>
      toKafkajsAssigner(assignor, {
        ownedPartitions: () => this.lastAssignment,
        onCluster: (cluster) => {
          if (!hooked) this.hookJoin(cluster);
          hooked = true;
        },
      }),
    );
    const heartbeatInterval = options.heartbeatInterval ?? 3000;
    const config: KjsConsumerConfig = {
      groupId: this.groupId,
      partitionAssigners,
      sessionTimeout: options.sessionTimeout ?? 30_000,
      rebalanceTimeout: options.rebalanceTimeout ?? 60_000,
      heartbeatInterval,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 10_485_760,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? Math.min(5000, heartbeatInterval),
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? true,
      // kafkajs's isolation switch, passed through (default false: read_committed).
      readUncommitted: options.readUncommitted ?? false,
    };
    try {
      this.inner = ctx.kafka.consumer(config);
    } catch (error) {
      throw toTributaryError(error, `Creating a consumer of group "${this.groupId}"`);
    }
    this.inner.on(this.inner.events.GROUP_JOIN, (event) => this.onGroupJoin(event.payload.memberAssignment));
    this.inner.on(this.inner.events.CRASH, (event) => {
      this.lastCrash = event.payload.error;
    });
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new ClosedError(`Consumer of group "${this.groupId}"`);
    if (this.state === 'connected') return;
    await translated(`Connecting the consumer of group "${this.groupId}"`, () => this.inner.connect());
    this.state = 'connected';
  }

  /** Stops (revoke, leave) and closes; later calls throw ClosedError. */
  async disconnect(): Promise<void> {
    if (this.state === 'closed') return;
    try {
      await this.stop();
      await translated(`Disconnecting the consumer of group "${this.groupId}"`, () => this.inner.disconnect());
    } finally {
      this.state = 'closed';
      this.onClosed(this);
    }
  }

  /** Adds topics (names or patterns matched against the topics that exist now) to the subscription. */
  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    this.assertConnected();
    if (this.running) throw new IllegalStateError(`Cannot subscribe while consumer of group "${this.groupId}" is running`);
    const topics = 'topics' in subscription ? subscription.topics : [subscription.topic];
    if (!Array.isArray(topics) || topics.length === 0) throw new InvalidArgumentError('subscribe() needs at least one topic');
    const reset = this.options.autoOffsetReset;
    const fromBeginning = reset === undefined ? (subscription.fromBeginning ?? false) : reset === 'earliest';
    await translated(`Subscribing group "${this.groupId}"`, () => this.inner.subscribe({ topics, fromBeginning }));
  }

  /**
   * Joins the group and resolves once the first assignment was handed to `onPartitionsAssigned`;
   * consumption goes on in the background.
   * @throws IllegalStateError when already running; a TributaryError when joining failed
   */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    this.assertConnected();
    if (this.running) throw new IllegalStateError(`Consumer of group "${this.groupId}" is already running`);
    const { eachBatch, eachMessage } = config;
    if (typeof eachMessage !== 'function' && typeof eachBatch !== 'function') {
      throw new InvalidArgumentError('run() needs eachMessage or eachBatch');
    }
    const autoResolve = config.eachBatchAutoResolve ?? true;
    this.running = true;
    this.lastCrash = null;
    const handler =
      typeof eachBatch === 'function'
        ? eachBatch
        : async (payload: EachBatchPayload): Promise<void> => {
            const { batch } = payload;
            for (const message of batch.messages) {
              if (!payload.isRunning() || payload.isStale() || this.stopping) break;
              await eachMessage!({ topic: batch.topic, partition: batch.partition, message, heartbeat: payload.heartbeat, pause: payload.pause });
              payload.resolveOffset(message.offset);
              await payload.heartbeat();
            }
          };
    await this.inner.run({
      autoCommit: config.autoCommit ?? true,
      autoCommitInterval: config.autoCommitInterval ?? null,
      autoCommitThreshold: config.autoCommitThreshold ?? null,
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently ?? 1,
      // Resolution is done here: a batch dropped while stopping must not move the position.
      eachBatchAutoResolve: false,
      eachBatch: async (payload: KjsEachBatchPayload) => {
        await this.assignmentReady;
        if (this.stopping) return;
        const ours = payload as unknown as EachBatchPayload;
        await handler(ours);
        if (typeof eachBatch === 'function' && autoResolve && !this.stopping && ours.batch.messages.length > 0) {
          ours.resolveOffset(ours.batch.lastOffset());
        }
      },
    });
    if (this.lastCrash !== null) {
      this.running = false;
      throw toTributaryError(this.lastCrash, `Consumer of group "${this.groupId}" could not join`);
    }
    await this.assignmentReady;
  }

  /** Revokes the assignment (`onPartitionsRevoked`), then stops fetching and leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    try {
      await this.assignmentReady.catch(() => undefined);
      await this.revoke();
      await translated(`Stopping the consumer of group "${this.groupId}"`, () => this.inner.stop());
    } finally {
      this.running = false;
      this.stopping = false;
    }
  }

  /** Commits offsets (the next offset to read) under the current generation. Needs `run()` first. */
  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.assertConnected();
    if (!this.running) throw new IllegalStateError(`Consumer of group "${this.groupId}" is not running: the kafkajs backend commits only from a running consumer`);
    await translated(`Committing offsets of group "${this.groupId}"`, () => this.inner.commitOffsets(topicPartitions));
  }

  /** Moves consumption of a partition to `offset` ('-1' latest, '-2' earliest). Needs `run()` first. */
  seek(topicPartitionOffset: TopicPartitionOffset): void {
    if (!this.running) throw new IllegalStateError('Consumer is not running: call run() before seek()');
    try {
      this.inner.seek(topicPartitionOffset);
    } catch (error) {
      throw toTributaryError(error, `Seeking ${topicPartitionOffset.topic}-${topicPartitionOffset.partition}`);
    }
  }

  describeGroup(): Promise<GroupDescription> {
    return this.ctx.describeGroup(this.groupId);
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.inner.pause(topics);
  }

  paused(): TopicPartitions[] {
    return this.inner.paused();
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.inner.resume(topics);
  }

  on(eventName: ConsumerEventName, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    return this.inner.on(eventName as typeof this.inner.events.CRASH, listener as never);
  }

  /** Makes the consumer's JoinGroup wait for the revocation of its current assignment (step 2). */
  private hookJoin(cluster: Cluster): void {
    const findGroupCoordinator = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (group) => {
      // Only the consumer's group join looks the coordinator up on this cluster (describeGroup uses an admin).
      await this.revoke();
      return findGroupCoordinator(group);
    };
  }

  private revoke(): Promise<void> {
    if (this.revocation !== null) return this.revocation;
    if (this.assigned.length === 0) return Promise.resolve();
    const revoked = this.assigned;
    this.assigned = [];
    const work = (async () => {
      try {
        await this.options.onPartitionsRevoked?.(revoked);
      } catch (error) {
        this.ctx.logger.error(`Consumer of group "${this.groupId}": onPartitionsRevoked failed: ${String(error)}`, { error });
      } finally {
        this.revocation = null;
      }
    })();
    this.revocation = work;
    return work;
  }

  private onGroupJoin(memberAssignment: Record<string, number[]>): void {
    const assignment = Object.keys(memberAssignment)
      .sort()
      .map((topic) => ({ topic, partitions: [...memberAssignment[topic]!].sort((a, b) => a - b) }))
      .filter((tp) => tp.partitions.length > 0);
    if (this.stopping) return;
    const before = this.revocation ?? Promise.resolve();
    this.assigned = assignment;
    this.lastAssignment = assignment;
    const ready = before.then(() => this.options.onPartitionsAssigned?.(assignment));
    ready.catch((error: unknown) => this.ctx.logger.error(`Consumer of group "${this.groupId}": onPartitionsAssigned failed: ${String(error)}`, { error }));
    this.assignmentReady = ready.then(() => undefined);
  }

  private assertConnected(): void {
    if (this.state === 'closed') throw new ClosedError(`Consumer of group "${this.groupId}"`);
    if (this.state !== 'connected') throw new IllegalStateError('Consumer is not connected: call connect() first');
  }
}
