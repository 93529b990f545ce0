// The public surface of core/: the embedded log and its kafkajs-shaped clients, the log's contracts,
// the Processor API contracts, serdes, time and errors. Named exports only.

// Embedded log
export { EmbeddedLog } from './clients/embedded/embedded-log.ts';
export type { EmbeddedLogOptions, FetchRequest, FetchOptions, FetchedPartition } from './clients/embedded/embedded-log.ts';

// Kafka backend (kafkajs)
export { KafkajsLogClient } from './clients/kafkajs/kafkajs-log-client.ts';
export type { KafkaConnectionOptions, KafkajsLogClientOptions } from './clients/kafkajs/kafkajs-log-client.ts';

// Kafka-protocol broker
export { KafkaBroker, DEFAULT_SOCKET_REQUEST_MAX_BYTES } from './broker/broker.ts';
export type { KafkaBrokerOptions } from './broker/broker.ts';

// Client contract (kafkajs shapes)
export { CompressionTypes, ProducerEvents, ConsumerEvents, AdminEvents } from './clients/log-client.ts';
export type {
  LogClient,
  Producer,
  ProducerOptions,
  Transaction,
  TransactionOffsets,
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
  IsolationLevel,
  AbortedTransaction,
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

// Topology (physical)
export { Topology } from './topology/topology.ts';
export type { SourceOptions, SinkOptions, InternalTopicOptions } from './topology/topology.ts';
export type {
  PhysicalTopology,
  SubtopologyDef,
  NodeDef,
  SourceNodeDef,
  ProcessorNodeDef,
  SinkNodeDef,
  InternalTopicDef,
  TopicRef,
  TimestampExtractor,
  TopicNameExtractor,
  StreamPartitioner,
  RecordContext,
  ConsumedRecord,
  OffsetReset,
} from './topology/physical-topology.ts';
export type { TopologyDescription } from './topology/topology-description.ts';

// Streams runtime
export { TributaryStreams } from './runtime/tributary-streams.ts';
export type { StreamsEvents } from './runtime/tributary-streams.ts';
export type { StreamsConfig, StreamsLogConfig, ProcessingGuarantee } from './runtime/streams-config.ts';
export { VALID_TRANSITIONS as STREAMS_STATE_TRANSITIONS } from './runtime/streams-state.ts';
export type { StreamsState, StateListener } from './runtime/streams-state.ts';
export type { StreamsMetricsSnapshot, TaskMetrics } from './runtime/streams-metrics.ts';
export type {
  HandlerResponse,
  DeserializationErrorContext,
  ProcessingErrorContext,
  ProductionErrorContext,
  DeserializationErrorHandler,
  ProcessingErrorHandler,
  ProductionErrorHandler,
} from './runtime/error-handlers.ts';
export { DLQ_ERROR_HEADER, DLQ_TOPIC_HEADER, DLQ_PARTITION_HEADER, DLQ_OFFSET_HEADER } from './runtime/dead-letter.ts';
export { fromObservable } from './runtime/observable-source.ts';
export type { ObservableSourceOptions, ObservableSourceHandle, ObservableSourceStats, OverflowPolicy } from './runtime/observable-source.ts';
export { pausable, PausableObservable } from './runtime/pausable-observable.ts';

// Test driver
export { TopologyTestDriver } from './runtime/topology-test-driver.ts';
export type { TopologyTestDriverConfig } from './runtime/topology-test-driver.ts';
export { TestInputTopic } from './runtime/test-input-topic.ts';
export { TestOutputTopic } from './runtime/test-output-topic.ts';
export { TestRecord } from './runtime/test-record.ts';

// Serdes
export type { Serde, Serializer, Deserializer } from './serde/serde.ts';
export { Serdes } from './serde/serdes.ts';
export { JsonSerde } from './serde/json-serde.ts';
export type { JsonSerdeOptions } from './serde/json-serde.ts';
export { AvroSerde } from './serde/avro-serde.ts';
export type { AvroSerdeOptions } from './serde/avro-serde.ts';
export { ConfluentAvroSerde } from './serde/confluent-avro-serde.ts';
export type { ConfluentAvroSerdeOptions, SubjectNameStrategy } from './serde/confluent-avro-serde.ts';
export type { SchemaRegistry, RegisteredSchema } from './serde/schema-registry.ts';
export { InMemorySchemaRegistry } from './serde/in-memory-schema-registry.ts';
export { EmbeddedSchemaRegistry } from './serde/embedded-schema-registry.ts';
export type { CompatibilityLevel } from './serde/avro-compatibility.ts';

// Time
export { systemClock, ManualClock } from './time/clock.ts';
export type { Clock, TimerHandle } from './time/clock.ts';
export { toMillis } from './time/duration.ts';
export type { Duration } from './time/duration.ts';

// Errors
export { TributaryError, ERROR_CODES } from './errors/tributary-error.ts';
export {
  TopologyError,
  SerdeError,
  withRecordLocation,
  TaskMigratedError,
  StreamsError,
  SourceOverflowError,
} from './errors/streams-errors.ts';
export { IncompatibleSchemaError, SchemaNotFoundError } from './errors/schema-registry-errors.ts';
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
export {
  ProducerFencedError,
  InvalidProducerIdMappingError,
  InvalidTxnStateError,
  ConcurrentTransactionsError,
  InvalidTransactionTimeoutError,
} from './errors/transaction-errors.ts';
