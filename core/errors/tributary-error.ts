/**
 * Every error code Tributary raises. Codes are stable strings that callers can switch on; the Kafka
 * protocol error code, where one exists, is carried separately in {@link TributaryError.kafkaCode}.
 */
export const ERROR_CODES = [
  'UNKNOWN_TOPIC_OR_PARTITION',
  'TOPIC_ALREADY_EXISTS',
  'INVALID_TOPIC',
  'INVALID_PARTITIONS',
  'INVALID_CONFIG',
  'OFFSET_OUT_OF_RANGE',
  'LOG_CORRUPTED',
  'INVALID_RECORD',
  'CORRUPT_RECORD',
  'RECORD_TOO_LARGE',
  'UNSUPPORTED_COMPRESSION',
  'OUT_OF_ORDER_SEQUENCE',
  'DUPLICATE_SEQUENCE',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
  'GROUP_NOT_EMPTY',
  'GROUP_ID_NOT_FOUND',
  'INCONSISTENT_GROUP_PROTOCOL',
  'NO_COMMITTED_OFFSET',
  'ILLEGAL_STATE',
  'CLOSED',
  'STORAGE',
  'INVALID_ARGUMENT',
  'TIMEOUT',
  'TOPOLOGY',
  'SERDE',
  'TASK_MIGRATED',
  'STREAMS',
  'INCOMPATIBLE_SCHEMA',
  'SCHEMA_NOT_FOUND',
  'PROTOCOL',
  'UNSUPPORTED_VERSION',
  'INVALID_REQUEST',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'CONCURRENT_TRANSACTIONS',
  'INVALID_TRANSACTION_TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options shared by every Tributary error. */
export interface TributaryErrorOptions {
  /** The underlying error, kept as ES2022 `cause`. */
  cause?: unknown;
  /** Whether retrying the same call may succeed (Kafka's "retriable" errors). */
  retriable?: boolean;
}

/**
 * The root of every error Tributary throws. `code` says what went wrong in a machine-readable way and
 * the message names the entity involved (topic-partition, offset, file and byte position, store, task).
 *
 * @example
 * try { await producer.send({ topic: 'nope', messages: [] }); }
 * catch (e) { if (e instanceof TributaryError && e.code === 'UNKNOWN_TOPIC_OR_PARTITION') { ... } }
 */
export class TributaryError extends Error {
  /** Machine-readable error code. */
  readonly code: ErrorCode;
  /** Whether the same call may succeed when retried. */
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.name = new.target.name;
  }
}
