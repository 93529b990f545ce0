/**
 * The LogClient producer over a kafkajs producer. Keyed messages are partitioned with Kafka's murmur2
 * (kafkajs's `DefaultPartitioner`, the Java client's), so a key lands where it lands from the embedded
 * log, the Java client or kafkajs. Compression is given as kafkajs codes or Tributary names; snappy, lz4
 * and zstd use the codecs registered with Tributary's `registerCompressionCodec` (see
 * {@link bridgeCompressionCodecs}). `lingerMs` and `batchSize` have no kafkajs counterpart: each `send`
 * is one request (the streams runtime batches per loop turn already).
 */
import { Partitioners, type Kafka, type Producer as KjsProducer, type ProducerConfig as KjsProducerConfig } from 'kafkajs';
import {
  ProducerEvents,
  type InstrumentationEvent,
  type Producer,
  type ProducerBatch,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  type RemoveInstrumentationEventListener,
  type Transaction,
  type TransactionOffsets,
} from '../log-client.ts';
import type { CompressionType } from '../../log/log-contracts.ts';
import { ClosedError, IllegalStateError } from '../../errors/log-errors.ts';
import { resolveCompression } from '../embedded/compression-option.ts';
import { bridgeCompressionCodecs, KAFKAJS_COMPRESSION } from './kafkajs-compression.ts';
import { translated } from './kafka-client-error.ts';

/**
 * A producer on a Kafka cluster or `tributary broker`. Created by {@link KafkajsLogClient.producer}.
 *
 * @example
 * const producer = client.producer({ idempotent: true });
 * await producer.connect();
 * await producer.send({ topic: 'events', messages: [{ key: 'k', value: 'v' }], compression: CompressionTypes.GZIP });
 */
export class KafkajsProducer implements Producer {
  readonly events = ProducerEvents;
  private readonly inner: KjsProducer;
  private readonly compression: CompressionType;
  private closed = false;

  constructor(
    kafka: Kafka,
    private readonly options: ProducerOptions = {},
    private readonly onClosed: (producer: KafkajsProducer) => void = () => undefined,
  ) {
    this.compression = resolveCompression(options.compression ?? 'none');
    const config: KjsProducerConfig = {
      createPartitioner: (options.createPartitioner as KjsProducerConfig['createPartitioner']) ?? Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? true,
      idempotent: options.idempotent === true || options.transactionalId !== undefined,
      ...(options.idempotent === true || options.transactionalId !== undefined ? { maxInFlightRequests: 1 } : {}),
      ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
      ...(options.transactionTimeout === undefined ? {} : { transactionTimeout: options.transactionTimeout }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    };
    this.inner = kafka.producer(config);
  }

  async connect(): Promise<void> {
    if (this.closed) throw new ClosedError('Producer');
    await translated('Connecting the producer', () => this.inner.connect());
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await translated('Disconnecting the producer', () => this.inner.disconnect());
    } finally {
      this.onClosed(this);
    }
  }

  /** Sends messages to one topic; resolves once every partition touched acknowledged. */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const compression = this.codec(record.compression);
    return translated(`Sending to topic "${record.topic}"`, () =>
      this.inner.send({ ...record, compression } as Parameters<KjsProducer['send']>[0]) as Promise<RecordMetadata[]>,
    );
  }

  /** Sends messages to several topics in one request per broker. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const compression = this.codec(batch.compression);
    return translated('Sending a batch', () => this.inner.sendBatch({ ...batch, compression } as Parameters<KjsProducer['sendBatch']>[0]) as Promise<RecordMetadata[]>);
  }

  isIdempotent(): boolean {
    return this.options.idempotent === true || this.options.transactionalId !== undefined;
  }

  /** Begins a kafkajs transaction (the producer must have been created with `transactionalId`). */
  async transaction(): Promise<Transaction> {
    if (this.options.transactionalId === undefined) throw new IllegalStateError('transaction() needs a producer created with transactionalId');
    const id = this.options.transactionalId;
    const txn = await translated(`Beginning a transaction of "${id}"`, () => this.inner.transaction());
    return {
      send: (record) => translated(`Sending to topic "${record.topic}" in a transaction`, () =>
        txn.send({ ...record, compression: this.codec(record.compression) } as Parameters<typeof txn.send>[0]) as Promise<RecordMetadata[]>),
      sendBatch: (batch) => translated('Sending a batch in a transaction', () =>
        txn.sendBatch({ ...batch, compression: this.codec(batch.compression) } as Parameters<typeof txn.sendBatch>[0]) as Promise<RecordMetadata[]>),
      sendOffsets: (offsets: TransactionOffsets) => translated(`Committing offsets of group "${offsets.consumerGroupId}" in a transaction`, () => txn.sendOffsets(offsets)),
      commit: () => translated(`Committing the transaction of "${id}"`, () => txn.commit()),
      abort: () => translated(`Aborting the transaction of "${id}"`, () => txn.abort()),
      isActive: () => txn.isActive(),
    };
  }

  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener {
    return this.inner.on(eventName as typeof this.inner.events.CONNECT, listener as never);
  }

  private codec(given: ProducerRecord['compression']): number {
    const type = given === undefined ? this.compression : resolveCompression(given);
    bridgeCompressionCodecs();
    return KAFKAJS_COMPRESSION[type];
  }
}
