// The public surface of core/: the embedded log and its kafkajs-shaped clients, the log's contracts,
// the Processor API contracts, serdes, time and errors. Named exports only.

// Embedded log
export { EmbeddedLog } from './clients/embedded/embedded-log.ts';
export type { EmbeddedLogOptions, FetchRequest, FetchOptions, FetchedPartition } from './clients/embedded/embedded-log.ts';

// Client contract (kafkajs shapes)
export { CompressionTypes, ProducerEvents, ConsumerEvents, AdminEvents } from './clients/log-client.ts';
export type {
  LogClient,
  Producer,
  ProducerOptions,
  ProducerRecord,
  ProducerBatch,
  TopicMessages,
  Message,
  IHeaders,
  RecordMetadata,
  PartitionMetadata,
  PartitionerArgs,
  ICustomPartitioner,
  RetryOptions,
  Consumer,
  ConsumerOptions,
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  ConsumerSubscribeTopic,
  ConsumerEventName,
  AutoOffsetReset,
  AssignorName,
  KafkaMessage,
  Batch,
  EachMessagePayload,
  EachBatchPayload,
  TopicPartitions,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicOffsets,
  PartitionOffset,
  GroupDescription,
  MemberDescription,
  InstrumentationEvent,
  RemoveInstrumentationEventListener,
  Admin,
  ClientLogger,
} from './clients/log-client.ts';
export { ConfigResourceTypes, ConfigSource } from './clients/admin-types.ts';
export type { ITopicConfig, IResourceConfigEntry, DescribeConfigResponse, GroupOverview, GroupLagPartition } from './clients/admin-types.ts';

// Partitioning and group assignment
export { murmur2, partitionForKey, toPositive } from './clients/partitioner.ts';
export { RangeAssignor } from './log/assignors/range-assignor.ts';
export { RoundRobinAssignor } from './log/assignors/round-robin-assignor.ts';
export { StickyAssignor } from './log/assignors/sticky-assignor.ts';
export type { PartitionAssignor, AssignorMember, GroupAssignment } from './log/assignors/partition-assignor.ts';

// Log engine contracts and formats
export type {
  RecordHeader,
  CompressionType,
  TimestampType,
  CleanupPolicy,
  TopicConfig,
  FlushPolicy,
  AppendResult,
  ReadResult,
  PartitionLogApi,
  TopicDescription,
  RecoveryReport,
  LogManagerApi,
} from './log/log-contracts.ts';
export { DEFAULT_TOPIC_CONFIG, parseTopicConfig } from './log/topic-config.ts';
export { registerCompressionCodec, hasCompressionCodec } from './log/compression.ts';
export type { CompressionCodec } from './log/compression.ts';
export { encodeRecordBatch, decodeRecords, validateRecordBatch, readBatchHeader } from './log/record-batch.ts';
export type { BatchRecordInput, EncodeBatchOptions, RecordBatchHeader, DecodedRecord } from './log/record-batch.ts';
export { crc32c } from './log/crc32c.ts';

// Processor API
export { Record, Headers } from './processor/record.ts';
export type {
  Processor,
  ProcessorSupplier,
  FixedKeyProcessor,
  FixedKeyProcessorSupplier,
  FixedKeyRecord,
} from './processor/processor.ts';
export type {
  ProcessorContext,
  FixedKeyProcessorContext,
  TaskId,
  RecordMetadata as ProcessorRecordMetadata,
  PunctuationType,
  Punctuator,
  Cancellable,
} from './processor/processor-context.ts';
export type { StateStore, StateStoreContext, StoreBuilder } from './processor/state-store.ts';

// Serdes
export type { Serde, Serializer, Deserializer } from './serde/serde.ts';

// Time
export { systemClock, ManualClock } from './time/clock.ts';
export type { Clock, TimerHandle } from './time/clock.ts';
export { toMillis } from './time/duration.ts';
export type { Duration } from './time/duration.ts';

// Errors
export { TributaryError, ERROR_CODES } from './errors/tributary-error.ts';
export type { ErrorCode, TributaryErrorOptions } from './errors/tributary-error.ts';
export {
  UnknownTopicOrPartitionError,
  TopicAlreadyExistsError,
  InvalidTopicError,
  InvalidConfigError,
  InvalidPartitionsError,
  OffsetOutOfRangeError,
  LogCorruptedError,
  InvalidRecordError,
  RecordTooLargeError,
  UnsupportedCompressionError,
  OutOfOrderSequenceError,
  InvalidProducerEpochError,
  StorageError,
  ClosedError,
  IllegalStateError,
  InvalidArgumentError,
} from './errors/log-errors.ts';
export {
  UnknownMemberIdError,
  IllegalGenerationError,
  RebalanceInProgressError,
  GroupNotEmptyError,
  GroupIdNotFoundError,
  InconsistentGroupProtocolError,
  NoCommittedOffsetError,
} from './errors/group-errors.ts';
