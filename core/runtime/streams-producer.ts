/**
 * The producer of a stream thread (Kafka Streams' `StreamsProducer`). Under at-least-once it passes sends
 * to the producer. Under exactly-once (v2) the producer is transactional and every send joins the open
 * transaction, begun lazily by the first send after a commit; {@link StreamsProducer.commitTransaction}
 * adds the input offsets to it and commits it; {@link StreamsProducer.abortTransaction} aborts it.
 *
 * Sends keep their order: under exactly-once each send waits on the promise of the open transaction, so
 * sends issued before the transaction is begun go out in the order they were issued.
 */
import { join } from 'node:path';
import type {
  Producer,
  ProducerBatch,
  ProducerOptions,
  RecordMetadata,
  TopicOffsets,
  TopicPartitionOffsetAndMetadata,
  Transaction,
} from '../clients/log-client.ts';
import { processIdOf } from './process-id.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';

/**
 * The options of a stream thread's producer: under exactly-once transactional, with the transactional id
 * `<applicationId>-<processId>-1` (the process id stable per state directory, one stream thread) and the
 * configured transaction timeout.
 * @throws StorageError when the process id cannot be read or written
 */
export function streamsProducerOptions(config: ResolvedStreamsConfig): ProducerOptions {
  if (config.processingGuarantee !== 'exactly_once_v2') return { clientId: `${config.applicationId}-producer` };
  const processId = processIdOf(join(config.stateDir, config.applicationId));
  return {
    clientId: `${config.applicationId}-producer`,
    transactionalId: `${config.applicationId}-${processId}-1`,
    transactionTimeout: config.transactionTimeoutMs,
    idempotent: true,
    maxInFlightRequests: 1,
  };
}

/** Where the record collector sends. */
export interface ProducerSender {
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

/**
 * A stream thread's producer.
 *
 * @example
 * const streamsProducer = new StreamsProducer(producer, true, 'wordcount');
 * await streamsProducer.sendBatch({ topicMessages });
 * await streamsProducer.commitTransaction([{ topic: 'lines', partition: 0, offset: '42' }]);
 */
export class StreamsProducer implements ProducerSender {
  private opening: Promise<Transaction> | null = null;

  constructor(
    private producer: Producer,
    readonly eos: boolean,
    private readonly groupId: string,
  ) {}

  /** Whether a transaction is open (exactly-once). */
  get inTransaction(): boolean {
    return this.opening !== null;
  }

  /** The producer underneath. */
  get current(): Producer {
    return this.producer;
  }

  /** Replaces a fenced producer by a new one (after a TaskMigrated recovery); the open transaction is forgotten. */
  replace(producer: Producer): void {
    this.producer = producer;
    this.opening = null;
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.eos) return this.producer.sendBatch(batch);
    return this.transaction().then((txn) => txn.sendBatch(batch));
  }

  /**
   * Exactly-once commit: adds `offsets` (the next input offsets) for the application's group to the open
   * transaction and commits it. Call after every send of the transaction is acknowledged. Nothing to do
   * when no transaction is open and there are no offsets.
   * @throws the producer's failure (ProducerFencedError, a send failure): the caller aborts
   */
  async commitTransaction(offsets: readonly TopicPartitionOffsetAndMetadata[]): Promise<void> {
    if (this.opening === null && offsets.length === 0) return;
    const opening = this.transaction();
    const txn = await opening;
    if (offsets.length > 0) await txn.sendOffsets({ consumerGroupId: this.groupId, topics: byTopic(offsets) });
    await txn.commit();
    if (this.opening === opening) this.opening = null;
  }

  /** Aborts the open transaction, if any; failures (a fenced producer) are returned, not thrown. */
  async abortTransaction(): Promise<unknown> {
    const opening = this.opening;
    this.opening = null;
    if (opening === null) return null;
    try {
      const txn = await opening;
      if (txn.isActive()) await txn.abort();
      return null;
    } catch (error) {
      return error;
    }
  }

  private transaction(): Promise<Transaction> {
    if (this.opening === null) {
      const opening = this.producer.transaction();
      // A failure to begin surfaces through the sends that wait on it; the next send tries again.
      opening.catch(() => {
        if (this.opening === opening) this.opening = null;
      });
      this.opening = opening;
    }
    return this.opening;
  }
}

function byTopic(offsets: readonly TopicPartitionOffsetAndMetadata[]): TopicOffsets[] {
  const map = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    let list = map.get(o.topic);
    if (list === undefined) map.set(o.topic, (list = []));
    list.push({ partition: o.partition, offset: String(o.offset) });
  }
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}
