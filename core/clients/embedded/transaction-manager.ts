/**
 * The transactional side of an {@link EmbeddedProducer} (Kafka's producer `TransactionManager`): the
 * producer id and epoch of its transactional id, the one active {@link EmbeddedTransaction}, the calls to
 * the {@link TransactionCoordinator} (retried while retriable, e.g. CONCURRENT_TRANSACTIONS), and fencing:
 * once the coordinator or a partition log says PRODUCER_FENCED (or INVALID_PRODUCER_EPOCH), the producer
 * is fenced for good and every later call fails with that error.
 */
import type { TransactionCoordinator } from '../../log/transaction-coordinator.ts';
import type { Clock } from '../../time/clock.ts';
import type { ProducerBatch, RecordMetadata, TransactionOffsets } from '../log-client.ts';
import { IllegalStateError } from '../../errors/log-errors.ts';
import { TributaryError } from '../../errors/tributary-error.ts';
import { sleep } from './clock-sleep.ts';
import { EmbeddedTransaction, type TransactionHost } from './embedded-transaction.ts';

/** Backoff of coordinator calls that fail with a retriable error. */
export interface TransactionRetry {
  readonly retries: number;
  readonly initialRetryTime: number;
  readonly maxRetryTime: number;
  readonly multiplier: number;
}

/** Whether an error means a newer producer took over the transactional id. */
export function isFencingError(error: unknown): boolean {
  return error instanceof TributaryError && (error.code === 'PRODUCER_FENCED' || error.code === 'INVALID_PRODUCER_EPOCH');
}

/**
 * Transactions of one transactional id.
 *
 * @example
 * const manager = new TransactionManager(coordinator, 'app-0', 10_000, clock, retry, send);
 * const { producerId, producerEpoch } = await manager.initProducerId();
 * const txn = manager.begin();
 */
export class TransactionManager implements TransactionHost {
  producerId = -1;
  producerEpoch = -1;
  private active: EmbeddedTransaction | null = null;
  private fencedBy: unknown = null;

  constructor(
    private readonly coordinator: () => TransactionCoordinator,
    readonly transactionalId: string,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
    private readonly retry: TransactionRetry,
    private readonly send: (batch: ProducerBatch, txn: EmbeddedTransaction) => Promise<RecordMetadata[]>,
  ) {}

  /** Takes the producer id and a new epoch (fences older producers of the id, aborts their open transaction). */
  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    const id = await this.call(() => this.coordinator().initProducerId(this.transactionalId, this.timeoutMs));
    this.producerId = id.producerId;
    this.producerEpoch = id.producerEpoch;
    return id;
  }

  /**
   * Begins a transaction.
   * @throws IllegalStateError while one is active; the fencing error once fenced
   */
  begin(): EmbeddedTransaction {
    this.assertNotFenced();
    if (this.active !== null) throw new IllegalStateError(`Producer "${this.transactionalId}" already has an active transaction`);
    const txn = new EmbeddedTransaction(this);
    this.active = txn;
    return txn;
  }

  /** @throws the fencing error once fenced */
  assertNotFenced(): void {
    if (this.fencedBy !== null) throw this.fencedBy;
  }

  /** Remembers a fencing error (from a coordinator call or a partition append). */
  noteFailure(error: unknown): void {
    if (this.fencedBy === null && isFencingError(error)) this.fencedBy = error;
  }

  sendInTransaction(batch: ProducerBatch, txn: EmbeddedTransaction): Promise<RecordMetadata[]> {
    if (this.active !== txn) return Promise.reject(new IllegalStateError('The transaction is no longer active'));
    return this.send(batch, txn);
  }

  addPartitionsToTxn(partitions: { topic: string; partition: number }[]): Promise<void> {
    return this.call(() => this.coordinator().addPartitionsToTxn(this.transactionalId, this.producerId, this.producerEpoch, partitions));
  }

  async sendOffsetsToTxn(offsets: TransactionOffsets): Promise<void> {
    const group = offsets.consumerGroupId;
    const list = offsets.topics.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({ topic, partition, offset: Number(offset), metadata: null })),
    );
    await this.call(() => this.coordinator().addOffsetsToTxn(this.transactionalId, this.producerId, this.producerEpoch, group));
    await this.call(() => this.coordinator().txnOffsetCommit(this.transactionalId, group, this.producerId, this.producerEpoch, list));
  }

  endTxn(commit: boolean): Promise<void> {
    return this.call(() => this.coordinator().endTxn(this.transactionalId, this.producerId, this.producerEpoch, commit));
  }

  onEnded(txn: EmbeddedTransaction): void {
    if (this.active === txn) this.active = null;
  }

  /** A coordinator call: retried while retriable; a fencing error fences the producer. */
  private async call<T>(call: () => T | Promise<T>): Promise<T> {
    this.assertNotFenced();
    const { retries, initialRetryTime, maxRetryTime, multiplier } = this.retry;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        this.noteFailure(error);
        if (!(error instanceof TributaryError) || !error.retriable || attempt >= retries) throw error;
        await sleep(this.clock, Math.min(maxRetryTime, initialRetryTime * multiplier ** attempt));
      }
    }
  }
}
