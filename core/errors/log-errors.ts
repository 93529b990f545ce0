import { TributaryError, type TributaryErrorOptions } from './tributary-error.ts';

/** The topic or one of its partitions does not exist. */
export class UnknownTopicOrPartitionError extends TributaryError {
  readonly topic: string;
  readonly partition: number | undefined;
  constructor(topic: string, partition?: number, options?: TributaryErrorOptions) {
    super(
      'UNKNOWN_TOPIC_OR_PARTITION',
      partition === undefined
        ? `Unknown topic "${topic}"`
        : `Unknown topic-partition ${topic}-${partition}`,
      options,
    );
    this.topic = topic;
    this.partition = partition;
  }
}

/** A topic of that name already exists. */
export class TopicAlreadyExistsError extends TributaryError {
  readonly topic: string;
  constructor(topic: string) {
    super('TOPIC_ALREADY_EXISTS', `Topic "${topic}" already exists`);
    this.topic = topic;
  }
}

/** A topic name that Kafka would refuse (empty, ".", "..", too long, or characters outside [a-zA-Z0-9._-]). */
export class InvalidTopicError extends TributaryError {
  readonly topic: string;
  constructor(topic: string, reason: string) {
    super('INVALID_TOPIC', `Invalid topic name "${topic}": ${reason}`);
    this.topic = topic;
  }
}

/** A topic or partition config value that is unknown or out of range. */
export class InvalidConfigError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('INVALID_CONFIG', message, options);
  }
}

/** A partition count that is not allowed (not positive, or not larger than the current one). */
export class InvalidPartitionsError extends TributaryError {
  constructor(message: string) {
    super('INVALID_PARTITIONS', message);
  }
}

/** A fetch or seek asked for an offset outside [log start offset, log end offset]. */
export class OffsetOutOfRangeError extends TributaryError {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  constructor(topic: string, partition: number, offset: number, logStartOffset: number, logEndOffset: number) {
    super(
      'OFFSET_OUT_OF_RANGE',
      `Offset ${offset} is out of range for ${topic}-${partition} (log start ${logStartOffset}, log end ${logEndOffset})`,
    );
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = logEndOffset;
  }
}

/**
 * Stored data failed validation (CRC mismatch, impossible length, bad magic) somewhere it cannot be
 * repaired by truncating a torn tail. Data is never skipped silently: the file and byte position are named.
 */
export class LogCorruptedError extends TributaryError {
  readonly file: string;
  readonly position: number;
  constructor(file: string, position: number, reason: string, options?: TributaryErrorOptions) {
    super('LOG_CORRUPTED', `Log corrupted in ${file} at byte ${position}: ${reason}`, options);
    this.file = file;
    this.position = position;
  }
}

/** A record or batch handed to the log is malformed (bad magic, CRC, sizes, or field values). */
export class InvalidRecordError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('INVALID_RECORD', message, options);
  }
}

/** A record batch is larger than the topic's `max.message.bytes`. */
export class RecordTooLargeError extends TributaryError {
  readonly topic: string;
  readonly partition: number;
  readonly size: number;
  readonly maxSize: number;
  constructor(topic: string, partition: number, size: number, maxSize: number) {
    super(
      'RECORD_TOO_LARGE',
      `Batch of ${size} bytes for ${topic}-${partition} exceeds max.message.bytes ${maxSize}`,
    );
    this.topic = topic;
    this.partition = partition;
    this.size = size;
    this.maxSize = maxSize;
  }
}

/** A batch uses a compression codec this process cannot decode. */
export class UnsupportedCompressionError extends TributaryError {
  readonly codec: string;
  constructor(codec: string, where: string) {
    super(
      'UNSUPPORTED_COMPRESSION',
      `Cannot decompress ${codec} batch at ${where}: no ${codec} codec is registered (see registerCompressionCodec)`,
    );
    this.codec = codec;
  }
}

/** An idempotent producer's sequence number skipped ahead: records between were never appended. */
export class OutOfOrderSequenceError extends TributaryError {
  constructor(message: string) {
    super('OUT_OF_ORDER_SEQUENCE', message);
  }
}

/** A producer epoch older than the current one for that producer id: this producer was fenced. */
export class InvalidProducerEpochError extends TributaryError {
  constructor(message: string) {
    super('INVALID_PRODUCER_EPOCH', message);
  }
}

/** Filesystem failure while reading or writing the log (full disk, permissions, ...). */
export class StorageError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('STORAGE', message, options);
  }
}

/** The object was closed and cannot be used any more. */
export class ClosedError extends TributaryError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/** An operation that is not allowed in the current state. */
export class IllegalStateError extends TributaryError {
  constructor(message: string) {
    super('ILLEGAL_STATE', message);
  }
}

/** An argument that is out of range or of the wrong shape. */
export class InvalidArgumentError extends TributaryError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
