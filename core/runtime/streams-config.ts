/**
 * The configuration of a {@link TributaryStreams} application: plain options with Kafka Streams' names
 * and defaults, validated once by {@link resolveStreamsConfig}.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientLogger, LogClient } from '../clients/log-client.ts';
import type { KafkaConnectionOptions } from '../clients/kafkajs/kafkajs-log-client.ts';
import type { Serde } from '../serde/serde.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { InvalidConfigError } from '../errors/log-errors.ts';
import type { DeserializationErrorHandler, ProcessingErrorHandler, ProductionErrorHandler } from './error-handlers.ts';

/**
 * Where the log is: an embedded log opened on a directory (owned and closed by the application), an
 * already open {@link LogClient} (shared, not closed by the application), or a Kafka cluster or
 * `tributary broker` through kafkajs (`{ kafka: { brokers, clientId, ssl, sasl } }`, owned by the application).
 */
export type StreamsLogConfig =
  | { readonly embedded: { readonly dir: string } }
  | { readonly client: LogClient }
  | { readonly kafka: KafkaConnectionOptions };

/** Options of {@link TributaryStreams}. */
export interface StreamsConfig {
  /** The application id: consumer group id, prefix of internal topics, state directory name. */
  readonly applicationId: string;
  readonly log: StreamsLogConfig;
  /**
   * How often progress is committed. Default 30000 under at-least-once, 100 under exactly-once (Kafka
   * Streams' defaults): under exactly-once the interval is also how long outputs wait, uncommitted and
   * invisible to read_committed readers.
   */
  readonly commitIntervalMs?: number;
  /**
   * Default `'at_least_once'`: a crash reprocesses the records since the last commit (outputs, changelog
   * writes and repartition records can appear twice). `'exactly_once_v2'` (Kafka Streams' EOS v2, KIP-447):
   * one transactional producer per stream thread; the outputs, changelog writes and input offsets of a
   * commit interval become visible together or not at all; inputs and changelogs are read read_committed.
   */
  readonly processingGuarantee?: ProcessingGuarantee;
  /**
   * Exactly-once: how long (ms) a transaction may stay open before the log aborts it. It bounds how long
   * a worker killed mid-transaction holds back read_committed readers of its output partitions (until
   * the transaction is aborted, by this timeout or at once when a worker with the same state directory
   * restarts). Default 10000 (Kafka Streams sets 10 s under exactly-once).
   */
  readonly transactionTimeoutMs?: number;
  readonly defaultKeySerde?: Serde<any>;
  readonly defaultValueSerde?: Serde<any>;
  /** Default `'logAndFail'`. */
  readonly deserializationErrorHandler?: DeserializationErrorHandler;
  /** Default `'logAndFail'`. */
  readonly processingErrorHandler?: ProcessingErrorHandler;
  /** Default `'logAndFail'`. */
  readonly productionErrorHandler?: ProductionErrorHandler;
  /** Wall-clock time and timers. Default the system clock. */
  readonly clock?: Clock;
  /** Records buffered per input partition before fetching from it pauses. Default 1000. */
  readonly maxBufferedRecordsPerPartition?: number;
  /** Where tasks keep state and checkpoints. Default `<os tmpdir>/tributary-streams`. */
  readonly stateDir?: string;
  /**
   * Bytes fetched per partition per fetch. kafkajs decodes a whole fetch into message objects at once, so
   * with the buffer limit this bounds a worker's memory: 1 MiB of small records (a repartition topic of
   * words) is tens of thousands of objects per partition. Default 128 KiB.
   */
  readonly fetchMaxBytesPerPartition?: number;
  /**
   * Longest time (ms) a fetch waits on the log for data. Short, because a partition resumed after its
   * queue drained is fetched again only once the fetch in progress returns. Default 200.
   */
  readonly fetchMaxWaitMs?: number;
  /** Group session timeout. Default 30000 (kafkajs default). */
  readonly sessionTimeoutMs?: number;
  /** Group heartbeat interval. Default 3000. */
  readonly heartbeatIntervalMs?: number;
  /** Records a task processes per loop turn before the loop yields. Default 1000. */
  readonly maxRecordsPerTaskPerTurn?: number;
  /** How often `metrics$` emits. Default 1000. */
  readonly metricsIntervalMs?: number;
  /** Default: warnings and errors to the console. */
  readonly logger?: ClientLogger;
  /**
   * Bytes of the store cache shared by all caching stores of this instance (Kafka's
   * `statestore.cache.max.bytes`): dirty entries are evicted (flushed downstream and to the changelog)
   * least recently used first when it is full. Default 10 MiB; 0 disables caching.
   */
  readonly cacheMaxBytes?: number;
  /**
   * Idle-aware closing (off by default): once every input of a task has had no new record for this
   * many milliseconds of wall-clock time, the task's stream time advances with the wall clock from
   * where its records left it, so windows of quiet keys close and emit their final results.
   * Trade-off: a record that arrives after such an advance with an older timestamp is late (dropped
   * when past the window's grace), as if stream time had been moved by a newer record.
   */
  readonly idleAdvanceMs?: number;
  /**
   * Bytes read per changelog fetch while restoring (each fetch is decoded into records and written in
   * one LMDB transaction, so this bounds restore memory). Default 512 KiB: a 1M-entry restore peaks at
   * about 90-135 MB RssAnon (8 MiB: about 600 MB, decoded records of whole 8 MiB fetches) and is no slower.
   */
  readonly restoreBatchBytes?: number;
}

/** Kafka Streams' `processing.guarantee` values Tributary supports. */
export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

/** The config with defaults applied. */
export interface ResolvedStreamsConfig {
  readonly applicationId: string;
  readonly log: StreamsLogConfig;
  readonly commitIntervalMs: number;
  readonly processingGuarantee: ProcessingGuarantee;
  readonly transactionTimeoutMs: number;
  readonly defaultKeySerde: Serde<any> | undefined;
  readonly defaultValueSerde: Serde<any> | undefined;
  readonly deserializationErrorHandler: DeserializationErrorHandler | undefined;
  readonly processingErrorHandler: ProcessingErrorHandler | undefined;
  readonly productionErrorHandler: ProductionErrorHandler | undefined;
  readonly clock: Clock;
  readonly maxBufferedRecordsPerPartition: number;
  readonly stateDir: string;
  readonly fetchMaxBytesPerPartition: number;
  readonly fetchMaxWaitMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxRecordsPerTaskPerTurn: number;
  readonly metricsIntervalMs: number;
  readonly logger: ClientLogger;
  readonly cacheMaxBytes: number;
  readonly idleAdvanceMs: number | undefined;
  readonly restoreBatchBytes: number;
}

const consoleLogger: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, extra) => console.warn(message, extra ?? ''),
  error: (message, extra) => console.error(message, extra ?? ''),
};

/**
 * Validates the options and applies the defaults.
 *
 * @throws InvalidConfigError for a missing application id, a malformed `log`, an unknown guarantee, or
 *   a non-positive number
 * @example
 * resolveStreamsConfig({ applicationId: 'wordcount', log: { embedded: { dir: './data' } } }).commitIntervalMs; // 30000
 */
export function resolveStreamsConfig(config: StreamsConfig): ResolvedStreamsConfig {
  if (config === null || typeof config !== 'object') throw new InvalidConfigError('TributaryStreams needs a config object');
  const id = config.applicationId;
  if (typeof id !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(id)) {
    throw new InvalidConfigError(`applicationId must be a non-empty string of [a-zA-Z0-9._-], got ${JSON.stringify(id)}`);
  }
  const log = config.log;
  const isEmbedded = log !== null && typeof log === 'object' && 'embedded' in log && typeof log.embedded?.dir === 'string' && log.embedded.dir.length > 0;
  const isClient = log !== null && typeof log === 'object' && 'client' in log && typeof log.client?.consumer === 'function';
  const isKafka = log !== null && typeof log === 'object' && 'kafka' in log;
  if (!isEmbedded && !isClient && !isKafka) {
    throw new InvalidConfigError('log must be { embedded: { dir } }, { client: LogClient } or { kafka: { brokers } }');
  }
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new InvalidConfigError(`processingGuarantee must be "at_least_once" or "exactly_once_v2", got ${JSON.stringify(guarantee)}`);
  }
  const eos = guarantee === 'exactly_once_v2';
  return {
    applicationId: id,
    log,
    commitIntervalMs: positive(config.commitIntervalMs, eos ? 100 : 30_000, 'commitIntervalMs'),
    processingGuarantee: guarantee,
    transactionTimeoutMs: positive(config.transactionTimeoutMs, 10_000, 'transactionTimeoutMs'),
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    deserializationErrorHandler: config.deserializationErrorHandler,
    processingErrorHandler: config.processingErrorHandler,
    productionErrorHandler: config.productionErrorHandler,
    clock: config.clock ?? systemClock,
    maxBufferedRecordsPerPartition: positive(config.maxBufferedRecordsPerPartition, 1000, 'maxBufferedRecordsPerPartition'),
    stateDir: config.stateDir ?? join(tmpdir(), 'tributary-streams'),
    fetchMaxBytesPerPartition: positive(config.fetchMaxBytesPerPartition, 131_072, 'fetchMaxBytesPerPartition'),
    fetchMaxWaitMs: positive(config.fetchMaxWaitMs, 200, 'fetchMaxWaitMs'),
    sessionTimeoutMs: positive(config.sessionTimeoutMs, 30_000, 'sessionTimeoutMs'),
    heartbeatIntervalMs: positive(config.heartbeatIntervalMs, 3000, 'heartbeatIntervalMs'),
    maxRecordsPerTaskPerTurn: positive(config.maxRecordsPerTaskPerTurn, 1000, 'maxRecordsPerTaskPerTurn'),
    metricsIntervalMs: positive(config.metricsIntervalMs, 1000, 'metricsIntervalMs'),
    logger: config.logger ?? consoleLogger,
    cacheMaxBytes: nonNegative(config.cacheMaxBytes, 10 * 1024 * 1024, 'cacheMaxBytes'),
    idleAdvanceMs: config.idleAdvanceMs === undefined ? undefined : positive(config.idleAdvanceMs, 0, 'idleAdvanceMs'),
    restoreBatchBytes: positive(config.restoreBatchBytes, 512 * 1024, 'restoreBatchBytes'),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidConfigError(`${name} must be a number >= 0, got ${String(value)}`);
  }
  return value;
}
