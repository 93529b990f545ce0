/**
 * Contracts between the parts of the log engine: the partition log, the log manager (topics), the
 * group coordinator and the clients. Implementations live one per file next to this one; everything
 * that talks across parts goes through these shapes.
 *
 * Offsets, timestamps and producer ids are JavaScript numbers (exact up to 2^53); the kafkajs-shaped
 * client API turns offsets and timestamps into strings at its edge, as kafkajs does.
 */

/** One record header. Kafka allows repeated keys, so headers are a list, not a map. */
export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** Compression codec of a batch: the low three bits of the batch attributes. */
export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** `message.timestamp.type` of a topic. */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** `cleanup.policy` of a topic. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** A topic's configuration, typed. The Kafka config names map one to one (see topic-config.ts). */
export interface TopicConfig {
  /** `cleanup.policy`: delete old segments, compact by key, or both. Default `delete`. */
  readonly cleanupPolicy: CleanupPolicy;
  /** `retention.ms`: segments whose newest record is older are deleted; -1 keeps forever. Default 7 days. */
  readonly retentionMs: number;
  /** `retention.bytes`: oldest segments are deleted while the partition is larger; -1 = no limit. */
  readonly retentionBytes: number;
  /** `segment.bytes`: the active segment rolls when a batch would take it past this size. Default 1 GiB. */
  readonly segmentBytes: number;
  /** `segment.ms`: the active segment rolls when its first record is older than this. Default 7 days. */
  readonly segmentMs: number;
  /** `delete.retention.ms`: how long tombstones survive compaction. Default 1 day. */
  readonly deleteRetentionMs: number;
  /** `min.compaction.lag.ms`: records younger than this are not compacted. Default 0. */
  readonly minCompactionLagMs: number;
  /** `max.message.bytes`: the largest batch accepted. Default 1 MiB + 12 bytes, as Kafka. */
  readonly maxMessageBytes: number;
  /** `message.timestamp.type`: keep the producer's timestamp, or stamp the append time. */
  readonly messageTimestampType: TimestampType;
}

/** When the log calls fsync, and so what an acknowledgement means. */
export type FlushPolicy =
  /** fsync before every acknowledgement (group commit: concurrent appends share one fsync). */
  | { readonly mode: 'always' }
  /** fsync at most every `intervalMs`; acknowledged records are in the OS page cache. */
  | { readonly mode: 'interval'; readonly intervalMs: number }
  /** never fsync explicitly (Kafka's default); acknowledged records are in the OS page cache. */
  | { readonly mode: 'os' };

/** What an append did. */
export interface AppendResult {
  /** Offset of the first record appended (or of the original append, for a duplicate). */
  readonly baseOffset: number;
  /** Offset of the last record appended. */
  readonly lastOffset: number;
  /** The timestamp the log stamped (LogAppendTime topics), else -1. */
  readonly logAppendTime: number;
  /** Number of records in the batch. */
  readonly recordCount: number;
  /** True when an idempotent producer retried a batch already in the log; nothing was appended. */
  readonly duplicate: boolean;
}

/** Whole record batches read from one partition. */
export interface ReadResult {
  /** Concatenated RecordBatch v2 bytes; the first batch may start before the requested offset. */
  readonly records: Buffer;
  /** Offsets below this are readable by consumers. */
  readonly highWatermark: number;
  /** First offset in the log. */
  readonly logStartOffset: number;
  /** Last stable offset (= high watermark while no transaction is open). */
  readonly lastStableOffset: number;
}

/**
 * Which records a read returns: everything below the high watermark (`read_uncommitted`, the default),
 * or only batches below the last stable offset (`read_committed`; the reader drops aborted transactions
 * with {@link PartitionLogApi.abortedTransactions} and skips control batches).
 */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/** Options for {@link PartitionLogApi.read}. */
export interface ReadOptions {
  /** Do not return batches that start at or beyond this offset (defaults to the high watermark). */
  readonly maxOffset?: number;
  /** Default `read_uncommitted`. `read_committed` returns no batch whose base offset >= the last stable offset. */
  readonly isolation?: IsolationLevel;
  /**
   * Check each batch's CRC-32C (default true; the framing, sizes and magic are always checked). The broker
   * serves Fetch with false, as Kafka does: consumers check the CRCs of what they receive.
   */
  readonly verifyCrc?: boolean;
  /**
   * Where the bytes are read to: returns a buffer of exactly `size` bytes for the read to fill, and the
   * returned records are a view of it (a read may ask twice when its first batch is larger than
   * `maxBytes`). Default: a new buffer per read. The broker reads Fetch responses into reused buffers.
   */
  readonly allocate?: (size: number) => Buffer;
}

/** An aborted transaction a read_committed reader must drop: its producer and first offset. */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

/**
 * One partition of a topic: a directory of segments. Kafka calls it UnifiedLog.
 * Appends are synchronous writes to the OS; the returned promise resolves when the flush policy
 * considers the batch acknowledged.
 */
export interface PartitionLogApi {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  /** First offset of the earliest open transaction, or the high watermark when none is open. */
  readonly lastStableOffset: number;
  readonly config: TopicConfig;
  /** Size in bytes of all segments. */
  readonly sizeInBytes: number;

  /**
   * Appends one client-built RecordBatch v2 (base offset and leader epoch are rewritten; everything the
   * CRC covers is stored byte for byte, except LogAppendTime topics, which restamp and re-CRC).
   * Validates magic, CRC, sizes, `max.message.bytes` and idempotent sequences.
   * @throws InvalidRecordError, RecordTooLargeError, OutOfOrderSequenceError, InvalidProducerEpochError
   */
  append(batch: Buffer): Promise<AppendResult>;
  /**
   * Reads whole batches holding offsets >= `offset`, up to about `maxBytes` (at least one batch).
   * Verifies every batch's CRC on the way.
   * @throws OffsetOutOfRangeError when `offset` < log start or > log end; LogCorruptedError on a bad CRC.
   */
  read(offset: number, maxBytes: number, options?: ReadOptions): ReadResult;
  /**
   * Writes a transaction marker (control batch) for the producer's transaction on this partition and ends
   * it; durable per the flush policy. Only the transaction coordinator calls this.
   * @throws InvalidProducerEpochError when `producerEpoch` is older than the producer's current epoch.
   */
  appendTxnMarker(producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number): Promise<AppendResult>;
  /** Aborted transactions overlapping [fromOffset, upToOffset), in first-offset order (Kafka's Fetch field). */
  abortedTransactions(fromOffset: number, upToOffset: number): AbortedTransaction[];
  /** The first offset whose timestamp is >= `timestamp`, or null if there is none. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null;
  /** Moves the log start offset to `offset` (Kafka's DeleteRecords); returns the new log start offset. */
  deleteRecordsBefore(offset: number): Promise<number>;
  /**
   * Resolves once the high watermark (read_committed: the last stable offset) is beyond `offset`, or after
   * `timeoutMs`, or when closed.
   */
  waitForData(offset: number, timeoutMs: number, isolation?: IsolationLevel): Promise<void>;
  /** Forces everything written so far to disk. */
  flush(): Promise<void>;
  /** Flushes, writes a clean-shutdown marker and producer-state snapshot, closes files. */
  close(): Promise<void>;
}

/** A topic's description. */
export interface TopicDescription {
  readonly name: string;
  /** Stable topic id (UUID), persisted with the topic. */
  readonly topicId: string;
  readonly numPartitions: number;
  readonly config: TopicConfig;
  /** Whether it is an internal topic such as `__consumer_offsets`. */
  readonly internal: boolean;
}

/** Options for {@link LogManagerApi.createTopic}. */
export interface CreateTopicOptions {
  readonly numPartitions: number;
  /** Kafka config names and string values, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
  readonly internal?: boolean;
}

/** What recovery found when a partition was opened. */
export interface RecoveryReport {
  readonly topic: string;
  readonly partition: number;
  /** Bytes cut off a torn or corrupt tail of the active segment. */
  readonly truncatedBytes: number;
  /** Index files that were missing or inconsistent and were rebuilt. */
  readonly rebuiltIndexes: readonly string[];
  /** Whether the previous shutdown was clean. */
  readonly cleanShutdown: boolean;
}

/** The set of topics under one data directory. */
export interface LogManagerApi {
  readonly dir: string;
  /** @throws TopicAlreadyExistsError, InvalidTopicError, InvalidConfigError, InvalidPartitionsError */
  createTopic(name: string, options: CreateTopicOptions): Promise<TopicDescription>;
  /** @throws UnknownTopicOrPartitionError */
  deleteTopic(name: string): Promise<void>;
  /** Grows a topic to `totalCount` partitions. @throws InvalidPartitionsError when not larger */
  createPartitions(name: string, totalCount: number): Promise<void>;
  /** Replaces the given config keys (others keep their values). @throws InvalidConfigError */
  alterTopicConfig(name: string, configs: Readonly<Record<string, string | null>>): Promise<void>;
  describeTopic(name: string): TopicDescription | undefined;
  listTopics(): TopicDescription[];
  /** @throws UnknownTopicOrPartitionError */
  partition(topic: string, partition: number): PartitionLogApi;
  /** A fresh producer id, unique across restarts of this data directory. */
  allocateProducerId(): number;
  /** Recovery reports of partitions opened since start. */
  readonly recoveryReports: readonly RecoveryReport[];
  close(): Promise<void>;
}
