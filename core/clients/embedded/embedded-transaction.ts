/**
 * A transaction of a transactional {@link EmbeddedProducer} (Kafka's KIP-98, kafkajs's `Transaction`):
 *
 * - `send` / `sendBatch` write transactional batches (attributes bit 4); before the first batch to a
 *   partition in this transaction, the partition is added to it at the coordinator (`addPartitionsToTxn`),
 *   so the coordinator knows where to write the markers;
 * - `sendOffsets` adds the group to the transaction (`addOffsetsToTxn`) and hands the offsets to the
 *   group coordinator as pending (`txnOffsetCommit`): they apply only when the transaction commits;
 * - `commit` waits until every send of the transaction is acknowledged, then ends it (`endTxn(commit)`):
 *   the coordinator writes a commit marker to every partition added, and the offsets become committed;
 *   a send that failed makes `commit` throw that failure (the caller aborts);
 * - `abort` waits for the sends to settle and ends it with abort markers: read_committed readers never
 *   see its records, and its offsets are dropped.
 *
 * A transaction that sent nothing and no offsets ends locally. A newer producer with the same transactional id fences this one (ProducerFencedError): the transaction
 * fails, and so does every later call of the producer.
 */
import type { ProducerBatch, ProducerRecord, RecordMetadata, Transaction, TransactionOffsets } from '../log-client.ts';
import { IllegalStateError, InvalidArgumentError } from '../../errors/log-errors.ts';
import { sendAsBatch } from './send-as-batch.ts';

/** What a transaction needs from its producer. */
export interface TransactionHost {
  /** Sends through the producer as part of `txn` (adds new partitions to it before appending). */
  sendInTransaction(batch: ProducerBatch, txn: EmbeddedTransaction): Promise<RecordMetadata[]>;
  /** Adds the partitions to the transaction at the coordinator. */
  addPartitionsToTxn(partitions: { topic: string; partition: number }[]): Promise<void>;
  /** `addOffsetsToTxn` + `txnOffsetCommit`. */
  sendOffsetsToTxn(offsets: TransactionOffsets): Promise<void>;
  /** `endTxn`. */
  endTxn(commit: boolean): Promise<void>;
  /** The transaction ended (the producer may begin the next). */
  onEnded(txn: EmbeddedTransaction): void;
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * One open transaction. Created by {@link EmbeddedProducer.transaction}.
 *
 * @example
 * const txn = await producer.transaction();
 * await txn.send({ topic: 'out', messages: [{ key: 'k', value: 'v' }] });
 * await txn.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '42' }] }] });
 * await txn.commit();
 */
export class EmbeddedTransaction implements Transaction {
  private state: 'open' | 'ending' | 'ended' = 'open';
  private readonly added = new Set<string>();
  private readonly sends = new Set<Promise<unknown>>();
  private failure: unknown = null;
  /** The coordinator knows this transaction (a partition or a group was added); else it ends locally. */
  private started = false;

  constructor(private readonly host: TransactionHost) {}

  isActive(): boolean {
    return this.state === 'open';
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return sendAsBatch(record, (batch) => this.sendBatch(batch));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (this.state !== 'open') return Promise.reject(new IllegalStateError(`Transaction is ${this.state}: cannot send`));
    const sending = this.host.sendInTransaction(batch, this);
    const tracked = sending.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.sends.add(tracked);
    void tracked.finally(() => this.sends.delete(tracked));
    return sending;
  }

  /**
   * Adds the partitions not yet in this transaction to it (called by the producer before it appends).
   * @internal
   */
  async addPartitions(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const fresh: { topic: string; partition: number }[] = [];
    for (const { topic, partition } of partitions) {
      const k = tpKey(topic, partition);
      if (this.added.has(k)) continue;
      this.added.add(k);
      fresh.push({ topic, partition });
    }
    if (fresh.length === 0) return;
    try {
      this.started = true;
      await this.host.addPartitionsToTxn(fresh);
    } catch (error) {
      for (const { topic, partition } of fresh) this.added.delete(tpKey(topic, partition));
      throw error;
    }
  }

  /** Commits `offsets` for the group when (and only if) this transaction commits. */
  async sendOffsets(offsets: TransactionOffsets): Promise<void> {
    if (this.state !== 'open') throw new IllegalStateError(`Transaction is ${this.state}: cannot send offsets`);
    if (offsets === null || typeof offsets !== 'object' || typeof offsets.consumerGroupId !== 'string' || !Array.isArray(offsets.topics)) {
      throw new InvalidArgumentError('sendOffsets() needs { consumerGroupId, topics }');
    }
    try {
      this.started = true;
      await this.host.sendOffsetsToTxn(offsets);
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  /**
   * Waits for every send, then commits. A send that failed makes commit throw that failure and leaves the
   * transaction open for `abort()`.
   * @throws IllegalStateError when the transaction already ended; the first send failure; ProducerFencedError
   */
  async commit(): Promise<void> {
    if (this.state !== 'open') throw new IllegalStateError(`Transaction is ${this.state}: cannot commit`);
    this.state = 'ending';
    await this.settleSends();
    if (this.failure !== null) {
      this.state = 'open';
      throw this.failure;
    }
    await this.end(true);
  }

  /** Waits for the sends to settle (failed or not), then aborts. @throws ProducerFencedError */
  async abort(): Promise<void> {
    if (this.state === 'ended') throw new IllegalStateError('Transaction is ended: cannot abort');
    this.state = 'ending';
    await this.settleSends();
    await this.end(false);
  }

  private async settleSends(): Promise<void> {
    while (this.sends.size > 0) await Promise.all([...this.sends]);
  }

  private async end(commit: boolean): Promise<void> {
    try {
      // A transaction that never reached the coordinator has nothing to end (the Java producer does the same).
      if (this.started) await this.host.endTxn(commit);
    } finally {
      this.state = 'ended';
      this.host.onEnded(this);
    }
  }
}
