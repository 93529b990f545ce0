/**
 * The kafkajs-shaped producer of the embedded log: validates messages, picks partitions (explicit,
 * custom partitioner, murmur2 for keys, sticky for null keys), batches per partition through the
 * {@link RecordAccumulator}, encodes RecordBatch v2 and appends to the partition log directly.
 *
 * Idempotent mode (`idempotent: true`): the producer takes a producer id from the log manager at
 * connect, epoch 0, and numbers each partition's records with a sequence (int32, wrapping to 0). A batch
 * that fails with a retriable error is appended again with the same bytes, so the log recognises a batch
 * it already holds and acknowledges it with its original offsets instead of appending it twice.
 *
 * Transactional mode (`transactionalId`, implies idempotent): connect takes the producer id and a new
 * epoch for the transactional id from the transaction coordinator (fencing any older producer with the
 * same id and aborting its open transaction); records go out only through {@link EmbeddedProducer.transaction}
 * (one at a time, see {@link EmbeddedTransaction}) as transactional batches; a plain `send` throws
 * IllegalStateError, as in kafkajs. Once fenced (ProducerFencedError), every later call fails with that error.
 */
import type { AppendResult, CompressionType, PartitionLogApi } from '../../log/log-contracts.ts';
import { encodeRecordBatch, type BatchRecordInput, type EncodeBatchOptions } from '../../log/record-batch.ts';
import {
  ProducerEvents,
  type ICustomPartitioner,
  type InstrumentationEvent,
  type Message,
  type PartitionMetadata,
  type Producer,
  type Transaction,
  type ProducerBatch as KafkaProducerBatch,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  type RemoveInstrumentationEventListener,
} from '../log-client.ts';
import { toRecordHeaders } from '../message-headers.ts';
import { InstrumentationEmitter } from '../instrumentation-emitter.ts';
import { RecordAccumulator, type AccumulatedRecord, type ProducerBatch } from './record-accumulator.ts';
import { DefaultPartitioner } from './default-partitioner.ts';
import { topicPartitionCount, type EmbeddedContext } from './embedded-context.ts';
import { resolveCompression } from './compression-option.ts';
import { sleep } from './clock-sleep.ts';
import type { EmbeddedTransaction } from './embedded-transaction.ts';
import { TransactionManager, type TransactionRetry } from './transaction-manager.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError, UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';
import { TributaryError } from '../../errors/tributary-error.ts';
import { sendAsBatch } from './send-as-batch.ts';

/** Default {@link ProducerOptions.batchSize}: 512 KiB, half of the default `max.message.bytes`. */
export const DEFAULT_BATCH_SIZE = 512 * 1024;
const INT32_LIMIT = 0x8000_0000;

/** The validated messages of one send for one partition, in send order. */
interface PartitionGroup {
  readonly topic: string;
  readonly partition: number;
  readonly records: BatchRecordInput[];
}

/** What one send contributed to one partition. */
interface TouchedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly first: AccumulatedRecord;
  readonly batches: readonly ProducerBatch[];
}

function toBytes(value: unknown, what: string, where: string): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new InvalidArgumentError(`${where}: ${what} must be a Buffer, a string or null, got ${typeof value}`);
}

/** Kafka's sequence arithmetic: int32 that wraps to 0 after 2^31 - 1. */
function incrementSequence(sequence: number, increment: number): number {
  return (sequence + increment) % INT32_LIMIT;
}

/**
 * A producer writing straight into the embedded log. Created by {@link EmbeddedLog.producer}.
 *
 * @example
 * const producer = log.producer({ idempotent: true, lingerMs: 5 });
 * await producer.connect();
 * const [meta] = await producer.send({ topic: 'orders', messages: [{ key: 'o-1', value: '{"total":3}' }] });
 * meta.baseOffset; // '0'
 */
export class EmbeddedProducer implements Producer {
  readonly events = ProducerEvents;
  /** The transactions of a producer created with `transactionalId`, else null. */
  private readonly txns: TransactionManager | null;
  private state: 'new' | 'connected' | 'closed' = 'new';
  private releaseKeepAlive: () => void = () => undefined;
  private pid = -1;
  private epoch = -1;
  private readonly sequences = new Map<string, number>();
  private readonly lastBatches = new Map<string, Buffer>();
  private readonly preparing = new Set<Promise<PartitionGroup[]>>();
  private readonly accumulator: RecordAccumulator;
  private readonly defaultPartitioner = new DefaultPartitioner();
  private readonly customPartitioner: ReturnType<ICustomPartitioner> | null;
  private readonly partitionMetadata = new Map<string, PartitionMetadata[]>();
  private readonly emitter: InstrumentationEmitter;
  private readonly idempotent: boolean;
  private readonly allowAutoTopicCreation: boolean;
  private readonly lingerMs: number;
  private readonly compression: CompressionType;
  private readonly retries: number;
  private readonly initialRetryTime: number;
  private readonly maxRetryTime: number;
  private readonly multiplier: number;

  constructor(
    private readonly ctx: EmbeddedContext,
    options: ProducerOptions = {},
    private readonly onClosed: (producer: EmbeddedProducer) => void = () => undefined,
  ) {
    const tid = options.transactionalId;
    if (tid !== undefined && (typeof tid !== 'string' || tid.length === 0)) {
      throw new InvalidArgumentError(`transactionalId must be a non-empty string, got ${JSON.stringify(tid)}`);
    }
    const transactionTimeout = options.transactionTimeout ?? 60_000;
    if (!(transactionTimeout > 0)) throw new InvalidArgumentError(`transactionTimeout must be > 0, got ${options.transactionTimeout}`);
    this.idempotent = (options.idempotent ?? false) || tid !== undefined;
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.lingerMs = options.lingerMs ?? 0;
    if (!(this.lingerMs >= 0)) throw new InvalidArgumentError(`lingerMs must be >= 0, got ${options.lingerMs}`);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!(batchSize > 0)) throw new InvalidArgumentError(`batchSize must be > 0, got ${options.batchSize}`);
    this.compression = resolveCompression(options.compression ?? 'none');
    this.retries = options.retry?.retries ?? 5;
    this.initialRetryTime = options.retry?.initialRetryTime ?? 100;
    this.maxRetryTime = options.retry?.maxRetryTime ?? 30_000;
    this.multiplier = options.retry?.multiplier ?? options.retry?.factor ?? 2;
    this.customPartitioner = options.createPartitioner ? options.createPartitioner() : null;
    this.txns =
      tid === undefined
        ? null
        : new TransactionManager(() => ctx.transactions, tid, transactionTimeout, ctx.clock, this.retryPolicy(), (batch, txn) => this.sendGroups(batch, txn));
    this.emitter = new InstrumentationEmitter(ctx.clock, ctx.logger);
    this.accumulator = new RecordAccumulator({
      lingerMs: this.lingerMs,
      batchSize,
      clock: ctx.clock,
      send: (batch) => this.sendToLog(batch),
      onBatchClosed: (topic, partition) =>
        this.defaultPartitioner.onBatchClosed(topic, partition, ctx.logManager.describeTopic(topic)?.numPartitions ?? 1),
    });
  }

  private retryPolicy(): TransactionRetry {
    return { retries: this.retries, initialRetryTime: this.initialRetryTime, maxRetryTime: this.maxRetryTime, multiplier: this.multiplier };
  }

  /** The producer id (idempotent mode, after connect), else -1. */
  get producerId(): number {
    return this.pid;
  }

  /** The producer epoch (0 in idempotent mode, after connect), else -1. */
  get producerEpoch(): number {
    return this.epoch;
  }

  /** Connects (takes a producer id in idempotent mode). @throws ClosedError after disconnect */
  async connect(): Promise<void> {
    if (this.state === 'closed') throw new ClosedError('Producer');
    if (this.state === 'connected') return;
    if (this.txns !== null) {
      const id = await this.txns.initProducerId();
      this.pid = id.producerId;
      this.epoch = id.producerEpoch;
      this.sequences.clear();
    } else if (this.idempotent) {
      this.pid = this.ctx.logManager.allocateProducerId();
      this.epoch = 0;
    }
    this.state = 'connected';
    this.releaseKeepAlive = this.ctx.keepAlive.acquire();
    this.emitter.emit(ProducerEvents.CONNECT, null);
  }

  /** Sends what is batched, waits for every acknowledgement, then closes; later calls throw ClosedError. */
  async disconnect(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    // Sends already accepted finish preparing and are flushed with the rest.
    await Promise.allSettled([...this.preparing]);
    try {
      await this.accumulator.close();
    } finally {
      this.releaseKeepAlive();
    }
    this.emitter.emit(ProducerEvents.DISCONNECT, null);
    this.onClosed(this);
  }

  /**
   * Begins a transaction (one at a time).
   * @throws IllegalStateError without `transactionalId`, before connect, or while a transaction is active;
   *   ProducerFencedError once fenced
   */
  async transaction(): Promise<Transaction> {
    this.assertConnected();
    if (this.txns === null) throw new IllegalStateError('transaction() needs a producer created with a transactionalId');
    return this.txns.begin();
  }

  /** The transactional id, or null. */
  get transactionalId(): string | null {
    return this.txns?.transactionalId ?? null;
  }

  isIdempotent(): boolean {
    return this.idempotent;
  }

  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener {
    return this.emitter.on(eventName, listener);
  }

  /**
   * Sends messages to one topic. Resolves with one entry per partition touched, once all are acknowledged.
   *
   * @throws InvalidArgumentError for a message without `value` or with a bad key/value/timestamp;
   *   UnknownTopicOrPartitionError for an unknown topic (auto-creation off) or a partition out of range;
   *   ClosedError after disconnect; errors of the log append (RecordTooLargeError, ...).
   */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return sendAsBatch(record, (batch) => this.sendBatch(batch));
  }

  /**
   * Sends messages to several topics; same semantics as {@link EmbeddedProducer.send}.
   * @throws IllegalStateError on a transactional producer (it sends through its transaction)
   */
  async sendBatch(batch: KafkaProducerBatch): Promise<RecordMetadata[]> {
    if (this.txns !== null) {
      throw new IllegalStateError(`Producer "${this.txns.transactionalId}" is transactional: send through producer.transaction()`);
    }
    return this.sendGroups(batch, null);
  }

  private async sendGroups(batch: KafkaProducerBatch, txn: EmbeddedTransaction | null): Promise<RecordMetadata[]> {
    this.assertConnected();
    this.txns?.assertNotFenced();
    const compression = batch.compression === undefined ? this.compression : resolveCompression(batch.compression);
    const preparing = this.prepareAll(batch);
    this.preparing.add(preparing);
    let groups: PartitionGroup[];
    try {
      groups = await preparing;
    } finally {
      this.preparing.delete(preparing);
    }
    if (txn !== null) await txn.addPartitions(groups);
    const touched: TouchedPartition[] = [];
    for (const g of groups) {
      const { first, batches } = this.accumulator.appendAll(g.topic, g.partition, g.records, compression);
      touched.push({ topic: g.topic, partition: g.partition, first, batches });
    }
    if (this.lingerMs === 0) for (const t of touched) this.accumulator.flush(t.topic, t.partition);
    return Promise.all(touched.map((t) => this.awaitPartition(t)));
  }

  /**
   * Validates every message and picks its partition (creating topics if allowed) before anything is
   * batched; groups the records per topic-partition (topics in send order, partitions ascending).
   */
  private async prepareAll(batch: KafkaProducerBatch): Promise<PartitionGroup[]> {
    const groups: PartitionGroup[] = [];
    const now = this.ctx.clock.now();
    for (const { topic, messages } of batch.topicMessages ?? []) {
      if (typeof topic !== 'string' || topic.length === 0) throw new InvalidArgumentError(`Invalid topic ${String(topic)}`);
      if (!Array.isArray(messages)) throw new InvalidArgumentError(`Invalid messages array for topic "${topic}"`);
      const numPartitions = await topicPartitionCount(this.ctx, topic, this.allowAutoTopicCreation);
      const byPartition: (BatchRecordInput[] | undefined)[] = new Array(numPartitions);
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        const record = this.prepare(topic, message, i, now);
        const partition = this.choosePartition(topic, numPartitions, message, record.key);
        (byPartition[partition] ??= []).push(record);
      }
      for (let p = 0; p < numPartitions; p++) {
        const records = byPartition[p];
        if (records !== undefined) groups.push({ topic, partition: p, records });
      }
    }
    return groups;
  }

  /**
   * The bytes of the last batch this producer appended to `topic`-`partition` (a lower-level hook for
   * tests and tools that prove idempotent retries).
   */
  lastBatch(topic: string, partition: number): Buffer | undefined {
    return this.lastBatches.get(`${topic}\u0000${partition}`);
  }

  /**
   * Appends an already encoded RecordBatch v2 to `topic`-`partition` exactly as given, with the same
   * retry policy as batches this producer builds. Resending {@link EmbeddedProducer.lastBatch} shows the
   * idempotent log acknowledging the original offsets without appending twice.
   *
   * @throws OutOfOrderSequenceError when the batch's sequence skips ahead; UnknownTopicOrPartitionError.
   */
  async appendBatch(topic: string, partition: number, batch: Buffer): Promise<RecordMetadata> {
    this.assertConnected();
    const log = this.ctx.logManager.partition(topic, partition);
    const result = await this.appendWithRetry(log, batch);
    return this.metadata(log, result, 0);
  }

  private assertConnected(): void {
    if (this.state === 'closed') throw new ClosedError('Producer');
    if (this.state !== 'connected') throw new IllegalStateError('Producer is not connected: call connect() first');
  }

  private prepare(topic: string, message: Message, index: number, now: number): BatchRecordInput {
    if (message === null || typeof message !== 'object' || !('value' in message)) {
      throw new InvalidArgumentError(`Invalid message ${index} to topic "${topic}": a message needs a value (null for a tombstone)`);
    }
    const value = message.value;
    const key = message.key;
    let timestamp = now;
    if (message.timestamp !== undefined && message.timestamp !== null) {
      timestamp = Number(message.timestamp);
      if (!Number.isSafeInteger(timestamp)) {
        throw new InvalidArgumentError(`Invalid message ${index} to topic "${topic}": timestamp "${String(message.timestamp)}" is not an integer`);
      }
    }
    return {
      key: key === undefined || key === null ? null : Buffer.isBuffer(key) ? key : toBytes(key, 'key', `message ${index} to topic "${topic}"`),
      value: value === null ? null : Buffer.isBuffer(value) ? value : toBytes(value, 'value', `message ${index} to topic "${topic}"`),
      timestamp,
      headers: message.headers === undefined ? null : toRecordHeaders(message.headers, `message ${index} to topic "${topic}"`),
    };
  }

  private choosePartition(topic: string, numPartitions: number, message: Message, key: Buffer | null): number {
    let partition: number;
    if (message.partition !== undefined && message.partition !== null) {
      partition = message.partition;
    } else if (this.customPartitioner !== null) {
      partition = this.customPartitioner({ topic, partitionMetadata: this.metadataOf(topic, numPartitions), message });
    } else {
      return this.defaultPartitioner.partition(topic, numPartitions, key);
    }
    if (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions) {
      throw new UnknownTopicOrPartitionError(topic, Number(partition));
    }
    return partition;
  }

  private metadataOf(topic: string, numPartitions: number): PartitionMetadata[] {
    let list = this.partitionMetadata.get(topic);
    if (list === undefined || list.length !== numPartitions) {
      list = [];
      for (let p = 0; p < numPartitions; p++) {
        list.push({ partitionErrorCode: 0, partitionId: p, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] });
      }
      this.partitionMetadata.set(topic, list);
    }
    return list;
  }

  private async awaitPartition(t: TouchedPartition): Promise<RecordMetadata> {
    let results: AppendResult[];
    try {
      results = await Promise.all(t.batches.map((b) => b.done));
    } catch (error) {
      this.txns?.noteFailure(error);
      throw error;
    }
    const log = this.ctx.logManager.partition(t.topic, t.partition);
    return this.metadata(log, results[0]!, t.first.index);
  }

  private metadata(log: PartitionLogApi, result: AppendResult, index: number): RecordMetadata {
    return {
      topicName: log.topic,
      partition: log.partition,
      errorCode: 0,
      baseOffset: String(result.baseOffset + index),
      logAppendTime: String(result.logAppendTime),
      logStartOffset: String(log.logStartOffset),
    };
  }

  /** The accumulator's sender: encodes one batch (with the partition's next sequence) and appends it. */
  private async sendToLog(batch: ProducerBatch): Promise<AppendResult> {
    const k = `${batch.topic}\u0000${batch.partition}`;
    const log = this.ctx.logManager.partition(batch.topic, batch.partition);
    const options: EncodeBatchOptions = { compression: batch.compression };
    let sequence = 0;
    if (this.idempotent) {
      sequence = this.sequences.get(k) ?? 0;
      options.producerId = this.pid;
      options.producerEpoch = this.epoch;
      options.baseSequence = sequence;
      if (this.txns !== null) options.isTransactional = true;
    }
    const bytes = encodeRecordBatch(batch.records, options);
    this.lastBatches.set(k, bytes);
    const result = await this.appendWithRetry(log, bytes);
    if (this.idempotent) this.sequences.set(k, incrementSequence(sequence, batch.records.length));
    return result;
  }

  private async appendWithRetry(log: PartitionLogApi, bytes: Buffer): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await log.append(bytes);
      } catch (error) {
        if (!(error instanceof TributaryError) || !error.retriable || attempt >= this.retries) throw error;
        const delay = Math.min(this.maxRetryTime, this.initialRetryTime * this.multiplier ** attempt);
        this.ctx.logger.warn(`Retrying append to ${log.topic}-${log.partition} in ${delay} ms: ${error.message}`);
        await sleep(this.ctx.clock, delay);
      }
    }
  }
}
