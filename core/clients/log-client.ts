/**
 * The LogClient contract: a producer, a consumer and an admin client with the method names, argument
 * shapes and result shapes of kafkajs 2.x, so code written for kafkajs runs on Tributary's embedded log by
 * changing only the factory. As in kafkajs, offsets and timestamps cross this boundary as decimal strings.
 *
 * Two implementations: the embedded log (direct calls into core/log) and the kafkajs backend (a real Kafka
 * cluster or `tributary broker`). Tributary additions are marked as such; everything else mirrors
 * `kafkajs/types/index.d.ts`.
 */
import type { CompressionType } from '../log/log-contracts.ts';
import type { PartitionAssignor } from '../log/assignors/partition-assignor.ts';
import type {
  AlterConfigResponse,
  ConfigResourceTypes as ConfigResourceType,
  DeleteGroupsResult,
  DescribeConfigResponse,
  FetchOffsetsPartition,
  GroupLagPartition,
  GroupOverview,
  IResourceConfigEntry,
  ITopicConfig,
} from './admin-types.ts';

// Messages

/** Message headers, as kafkajs: a string or Buffer per key, an array for a repeated key. */
export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** A message to produce. `value` must be present (it may be `null`, a tombstone). */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  /** Explicit partition; wins over the partitioner. */
  partition?: number;
  headers?: IHeaders;
  /** Milliseconds since the epoch as a decimal string; defaults to the producer's clock. */
  timestamp?: string;
}

/** kafkajs's numeric compression codes, accepted wherever a compression is given. */
export const CompressionTypes = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;
/** One of {@link CompressionTypes}. */
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];

/** Arguments of {@link Producer.send}. */
export interface ProducerRecord {
  topic: string;
  messages: Message[];
  /** Accepted for compatibility; the embedded log acknowledges according to its flush policy. */
  acks?: number;
  timeout?: number;
  compression?: CompressionTypes | CompressionType;
}

/** The messages for one topic in {@link ProducerBatch}. */
export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/** Arguments of {@link Producer.sendBatch}. */
export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: CompressionTypes | CompressionType;
  topicMessages?: TopicMessages[];
}

/** One acknowledged topic-partition of a send: `baseOffset` is the offset of the first message sent to it. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset: string;
  /** `'-1'` unless the topic stamps LogAppendTime. */
  logAppendTime: string;
  logStartOffset: string;
}

/** Partition metadata as kafkajs reports it (one broker, node id 0). */
export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas?: number[];
}

/** What a custom partitioner is given. */
export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: Message;
}

/** kafkajs's partitioner factory: called once per producer, then once per message. */
export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

/** Retry of retriable failures (kafkajs's shape; the embedded producer uses `retries` and the backoff). */
export interface RetryOptions {
  retries?: number;
  initialRetryTime?: number;
  maxRetryTime?: number;
  factor?: number;
  multiplier?: number;
}

// Events

/** An instrumentation event, as kafkajs emits them. */
export interface InstrumentationEvent<T> {
  id: string;
  type: string;
  timestamp: number;
  payload: T;
}

/** Removes the listener that {@link Consumer.on} and friends added. */
export type RemoveInstrumentationEventListener = () => void;

/** Event names of the producer. */
export const ProducerEvents = { CONNECT: 'producer.connect', DISCONNECT: 'producer.disconnect' } as const;
/** Event names of the admin client. */
export const AdminEvents = { CONNECT: 'admin.connect', DISCONNECT: 'admin.disconnect' } as const;
/** Event names of the consumer. */
export const ConsumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
} as const;
/** A consumer event name. */
export type ConsumerEventName = (typeof ConsumerEvents)[keyof typeof ConsumerEvents];

/** Topic-partitions per topic, the shape of kafkajs's `memberAssignment` in `consumer.group_join`. */
export interface IMemberAssignment {
  [topic: string]: number[];
}

// Producer

/** Options of {@link LogClient.producer}. */
export interface ProducerOptions {
  clientId?: string;
  /** kafkajs partitioner factory. Default: Kafka's murmur2 for keyed messages, sticky for null keys. */
  createPartitioner?: ICustomPartitioner;
  /** Create an unknown topic (1 partition, default config) on first send. Default true, as kafkajs. */
  allowAutoTopicCreation?: boolean;
  /** Idempotent producer: a producer id and per-partition sequences, so a retried batch is not duplicated. */
  idempotent?: boolean;
  /** Tributary: how long a partition's batch waits for more messages before it is sent. Default 0. */
  lingerMs?: number;
  /** Tributary: the size in bytes at which a partition's batch is sent without waiting. Default 512 KiB. */
  batchSize?: number;
  /** Tributary: compression when a send does not name one. Default `'none'`. */
  compression?: CompressionType;
  retry?: RetryOptions;
  /**
   * A transactional producer (implies `idempotent`): {@link Producer.transaction} writes to several partitions and
   * commits consumer offsets atomically; a newer producer with the same id fences this one.
   */
  transactionalId?: string;
  /** How long (ms) the coordinator lets a transaction stay open before it aborts it. Default 60000 (kafkajs). */
  transactionTimeout?: number;
  /** Accepted for kafkajs compatibility (a transactional kafkajs producer needs 1). */
  maxInFlightRequests?: number;
}

/** Offsets committed inside a transaction by {@link Transaction.sendOffsets}: the next offset to read. */
export interface TransactionOffsets {
  consumerGroupId: string;
  topics: TopicOffsets[];
}

/**
 * An open transaction of a transactional producer, as kafkajs's `Transaction`: everything sent through it and the
 * offsets given to `sendOffsets` become visible to read_committed consumers together on `commit`, or never on `abort`.
 */
export interface Transaction {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  /** Commits these offsets for the group when (and only if) the transaction commits. */
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** True until `commit` or `abort` was called. */
  isActive(): boolean;
}

/** A kafkajs-shaped producer. */
export interface Producer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Sends messages to one topic; resolves once every partition touched acknowledged. */
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  /** Sends messages to several topics at once. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  isIdempotent(): boolean;
  /**
   * Begins a transaction. Only for a producer created with `transactionalId`; one transaction at a time.
   * @throws IllegalStateError without `transactionalId`, or while another transaction of this producer is active
   */
  transaction(): Promise<Transaction>;
  readonly events: typeof ProducerEvents;
  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener;
}

// Consumer

/** A consumed message. `size` is the encoded record size in bytes. */
export interface KafkaMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly attributes: number;
  readonly offset: string;
  readonly headers: IHeaders;
  readonly size: number;
}

/** The messages fetched from one partition, handed to `eachBatch`. */
export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

/** An offset of one partition. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}
/** Offsets of one topic's partitions. */
export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffset[];
}
/** Offsets grouped by topic. */
export interface OffsetsByTopicPartition {
  topics: TopicOffsets[];
}
/** A topic and some of its partitions. */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}
/** One partition and an offset. */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}
/** An offset to commit, with optional metadata. */
export interface TopicPartitionOffsetAndMetadata extends TopicPartitionOffset {
  metadata?: string | null;
}

/** What `eachMessage` gets. */
export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  /** Pauses this partition; returns a function that resumes it. */
  pause(): () => void;
}

/** What `eachBatch` gets. */
export interface EachBatchPayload {
  batch: Batch;
  /** Marks `offset` as processed (the committed offset becomes `offset + 1`). */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
  uncommittedOffsets(): OffsetsByTopicPartition;
  isRunning(): boolean;
  /** True once a seek, a rebalance or stop made the rest of this batch obsolete. */
  isStale(): boolean;
}

/** Options of {@link Consumer.run}. */
export interface ConsumerRunConfig {
  /** Default true. */
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  /** Default true: offsets of a batch are resolved when `eachBatch` returns. */
  eachBatchAutoResolve?: boolean;
  /** Default 1. */
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

/** Subscription to several topics (strings or patterns matched against existing topics). */
export interface ConsumerSubscribeTopics {
  topics: (string | RegExp)[];
  fromBeginning?: boolean;
}
/** Subscription to one topic (kafkajs's older form). */
export interface ConsumerSubscribeTopic {
  topic: string | RegExp;
  fromBeginning?: boolean;
}

/** Group states, as Kafka names them. */
export type ConsumerGroupState = 'Unknown' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Empty';

/** One member in {@link GroupDescription}. */
export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  memberAssignment: Buffer;
  memberMetadata: Buffer;
}

/** A group, as `describeGroup` returns it. */
export interface GroupDescription {
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: ConsumerGroupState;
}

/** Tributary: where a partition without a usable committed offset starts. */
export type AutoOffsetReset = 'earliest' | 'latest' | 'none';

/** Tributary: the built-in assignors by name. */
export type AssignorName = 'range' | 'roundrobin' | 'sticky';

/** Options of {@link LogClient.consumer}. Times are milliseconds. */
export interface ConsumerOptions {
  groupId: string;
  clientId?: string;
  /** Static membership (KIP-345). */
  groupInstanceId?: string;
  /** Assignors in order of preference. Default `['roundrobin', 'range', 'sticky']` (kafkajs prefers round robin). */
  partitionAssigners?: (PartitionAssignor | AssignorName)[];
  /** Default 30000. */
  sessionTimeout?: number;
  /** Default 60000. */
  rebalanceTimeout?: number;
  /** Default 3000. */
  heartbeatInterval?: number;
  /** Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Default 1. */
  minBytes?: number;
  /** Default 10 MiB. */
  maxBytes?: number;
  /** Default 5000. */
  maxWaitTimeInMs?: number;
  /** Default true. */
  allowAutoTopicCreation?: boolean;
  /**
   * kafkajs's isolation switch. Default false: read_committed, as kafkajs: records of open transactions are held
   * back (nothing at or past the last stable offset is returned) and records of aborted transactions are skipped.
   */
  readUncommitted?: boolean;
  /** Tributary: wins over subscribe's `fromBeginning` when given. */
  autoOffsetReset?: AutoOffsetReset;
  /** Tributary: awaited after each rebalance with the new assignment (Java's ConsumerRebalanceListener). */
  onPartitionsAssigned?: (assignment: TopicPartitions[]) => void | Promise<void>;
  /** Tributary: awaited before giving partitions up, after processed offsets were committed. */
  onPartitionsRevoked?: (assignment: TopicPartitions[]) => void | Promise<void>;
}

/** A kafkajs-shaped consumer in a consumer group. */
export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void>;
  stop(): Promise<void>;
  run(config?: ConsumerRunConfig): Promise<void>;
  commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  seek(topicPartitionOffset: TopicPartitionOffset): void;
  describeGroup(): Promise<GroupDescription>;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
  paused(): TopicPartitions[];
  resume(topics: { topic: string; partitions?: number[] }[]): void;
  readonly events: typeof ConsumerEvents;
  on(eventName: ConsumerEventName, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener;
}

// Admin

export {
  ConfigResourceTypes,
  ConfigSource,
  type AlterConfigResponse,
  type ConfigEntries,
  type ConfigSynonyms,
  type DeleteGroupsResult,
  type DescribeConfigResponse,
  type FetchOffsetsPartition,
  type GroupLagPartition,
  type GroupOverview,
  type IResourceConfigEntry,
  type ITopicConfig,
} from './admin-types.ts';

/** A kafkajs-shaped admin client. */
export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Resolves false when every topic already existed, true otherwise (kafkajs semantics). */
  createTopics(options: { validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number; topics: ITopicConfig[] }): Promise<boolean>;
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void>;
  createPartitions(options: { validateOnly?: boolean; timeout?: number; topicPartitions: { topic: string; count: number }[] }): Promise<boolean>;
  fetchTopicMetadata(options?: { topics?: string[] }): Promise<{ topics: { name: string; partitions: PartitionMetadata[] }[] }>;
  fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]>;
  fetchTopicOffsets(topic: string): Promise<(PartitionOffset & { high: string; low: string })[]>;
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<PartitionOffset[]>;
  setOffsets(options: { groupId: string; topic: string; partitions: PartitionOffset[] }): Promise<void>;
  resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void>;
  describeConfigs(configs: {
    resources: { type: ConfigResourceType; name: string; configNames?: string[] }[];
    includeSynonyms: boolean;
  }): Promise<DescribeConfigResponse>;
  /** Kafka's AlterConfigs (not incremental): the given entries become the topic's whole set of overrides. */
  alterConfigs(configs: {
    validateOnly?: boolean;
    resources: { type: ConfigResourceType; name: string; configEntries: IResourceConfigEntry[] }[];
  }): Promise<AlterConfigResponse>;
  listGroups(): Promise<{ groups: GroupOverview[] }>;
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }>;
  deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]>;
  deleteTopicRecords(options: { topic: string; partitions: PartitionOffset[] }): Promise<void>;
  /** Tributary: committed offset, high watermark and lag of every partition the group committed or subscribes to. */
  fetchGroupLag(options: { groupId: string }): Promise<GroupLagPartition[]>;
  readonly events: typeof AdminEvents;
  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener;
}

// The client

/** Minimal logger, compatible with kafkajs's Logger methods. */
export interface ClientLogger {
  debug(message: string, extra?: object): void;
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
}

/**
 * A connection to a log: the embedded log or (through kafkajs) a Kafka cluster or `tributary broker`.
 *
 * @example
 * const log: LogClient = await EmbeddedLog.open({ dir: './data' });
 * const producer = log.producer();
 * await producer.connect();
 * await producer.send({ topic: 'events', messages: [{ key: 'k', value: 'v' }] });
 * await log.close();
 */
export interface LogClient {
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  admin(): Admin;
  /** Disconnects everything this client handed out, then releases the log. */
  close(): Promise<void>;
}
