/**
 * The transaction coordinator (Kafka's `TransactionCoordinator`, KIP-98): maps transactional ids to
 * producer ids and epochs, tracks the partitions and consumer offsets of each transaction, and commits or
 * aborts with a two-phase commit. State lives in the compacted topic `__transaction_state`.
 *
 * Ending a transaction ({@link TransactionCoordinator.endTxn}, a timeout, or InitProducerId aborting the
 * previous producer's transaction):
 *   1. Write PrepareCommit / PrepareAbort (durable per the flush policy, or fsynced with `fsyncDecisions`).
 *   2. Write a commit / abort marker to every partition of the transaction.
 *   3. Commit only: apply the pending offsets to the groups' committed offsets.
 *   4. Write CompleteCommit / CompleteAbort.
 * A coordinator that dies after step 1 finishes steps 2-4 on {@link TransactionCoordinator.start}; one
 * that dies while Ongoing keeps the transaction Ongoing with its timeout, so the timer aborts it.
 *
 * Out of scope: Kafka's `require_stable` on OffsetFetch (fetchOffsets returns the last committed offsets
 * while a transaction holds newer pending ones), transactional id expiration, KIP-360 epoch bumps by the
 * producer.
 */
import type { Clock, TimerHandle } from '../time/clock.ts';
import type { LogManagerApi } from './log-contracts.ts';
import type { GroupCoordinator } from './group-coordinator.ts';
import type { MaintenanceLogger } from './log-maintenance.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError, UnknownTopicOrPartitionError } from '../errors/log-errors.ts';
import { ConcurrentTransactionsError, InvalidTransactionTimeoutError, InvalidTxnStateError } from '../errors/transaction-errors.ts';
import { TransactionStateLog } from './transaction-state-log.ts';
import { MAX_OFFSET_METADATA_BYTES } from './offset-store.ts';
import { writeTxnMarkers } from './transaction-markers.ts';
import { checkProducer, concurrentError, ongoingOrStartable, validateId } from './transaction-checks.ts';
import {
  transitionTo,
  txnPartitionKey,
  type PendingTxnOffset,
  type TransactionMetadata,
  type TransactionState,
} from './transaction-state.ts';

export type { TransactionState } from './transaction-state.ts';

/** Kafka's `transaction.max.timeout.ms` default (15 minutes). */
export const DEFAULT_MAX_TRANSACTION_TIMEOUT_MS = 900_000;
/** Epochs stop here: the next InitProducerId gets a new producer id (Kafka: Short.MaxValue - 1). */
const MAX_PRODUCER_EPOCH = 32_766;

/** Options of {@link TransactionCoordinator}. */
export interface TransactionCoordinatorOptions {
  readonly logManager: LogManagerApi;
  readonly groups: GroupCoordinator;
  readonly clock: Clock;
  readonly logger?: MaintenanceLogger;
  /** Partitions of `__transaction_state` when created (compacted). Default 1. */
  readonly stateTopicPartitions?: number;
  /** Kafka's `transaction.max.timeout.ms`. Default 900000. */
  readonly maxTransactionTimeoutMs?: number;
  /** How often timed-out transactions are aborted. Default 1000 (Kafka: 10000). */
  readonly abortTimedOutIntervalMs?: number;
  /** Called after a marker was appended to a partition (the embedded log and broker wake long-poll readers). */
  readonly onAppend?: (topic: string, partition: number) => void;
  /**
   * Fsync the PrepareCommit/PrepareAbort record before writing markers even when the flush policy would
   * not. Default false: it is durable per the flush policy like every append (under `os` and `interval`
   * the transaction's records and markers are not fsynced either, so an extra fsync of the decision does
   * not survive a power loss any better; a process crash loses nothing in any policy).
   */
  readonly fsyncDecisions?: boolean;
}

/** What {@link TransactionCoordinator.describeTransaction} returns. */
export interface TransactionDescription {
  readonly state: TransactionState;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  readonly partitions: { topic: string; partition: number }[];
  /** Clock time the current transaction started, -1 when none is open. */
  readonly startedAt: number;
}

/**
 * Coordinates the transactions of every transactional id of one log manager.
 *
 * @example
 * const txns = new TransactionCoordinator({ logManager, groups, clock: systemClock });
 * await txns.start();
 * const { producerId, producerEpoch } = await txns.initProducerId('app-0', 60_000);
 * await txns.addPartitionsToTxn('app-0', producerId, producerEpoch, [{ topic: 'out', partition: 0 }]);
 * // ... append transactional batches with producerId / producerEpoch ...
 * await txns.endTxn('app-0', producerId, producerEpoch, true);
 */
export class TransactionCoordinator {
  private readonly options: TransactionCoordinatorOptions;
  private readonly stateLog: TransactionStateLog;
  private readonly maxTimeoutMs: number;
  private readonly intervalMs: number;
  private readonly txns = new Map<string, TransactionMetadata>();
  /** Per transactional id, the tail of its operations: they run one at a time, in call order. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: TimerHandle | null = null;
  private state: 'new' | 'starting' | 'started' | 'closed' = 'new';

  constructor(options: TransactionCoordinatorOptions) {
    this.options = options;
    const partitions = options.stateTopicPartitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new InvalidArgumentError(`stateTopicPartitions must be a positive integer, got ${partitions}`);
    }
    this.stateLog = new TransactionStateLog({ logManager: options.logManager, partitions });
    this.maxTimeoutMs = options.maxTransactionTimeoutMs ?? DEFAULT_MAX_TRANSACTION_TIMEOUT_MS;
    this.intervalMs = options.abortTimedOutIntervalMs ?? 1000;
  }

  /**
   * Loads `__transaction_state` (creating it), completes PrepareCommit/PrepareAbort left by a crash
   * (markers + offsets), keeps Ongoing transactions with their timeouts, and starts the timeout timer.
   * Start the GroupCoordinator first (completed commits apply their offsets through it).
   *
   * @throws IllegalStateError when called twice; LogCorruptedError / InvalidRecordError on bad state data.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new IllegalStateError(`TransactionCoordinator cannot start: it is ${this.state}`);
    this.state = 'starting';
    for (const [id, meta] of await this.stateLog.load()) this.txns.set(id, meta);
    for (const meta of this.txns.values()) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        await this.serialize(meta.transactionalId, () => this.complete(meta.transactionalId)).catch((error: unknown) => {
          this.options.logger?.warn(`Completing transaction "${meta.transactionalId}" after restart failed; retrying later`, error);
        });
      }
    }
    this.state = 'started';
    this.scheduleTimeoutCheck();
  }

  /** Stops the timeout timer and waits for operations in flight. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.chains.values()]);
  }

  /**
   * A producer id and epoch for `transactionalId`: a new producer id for a new id; for a known one, aborts
   * its Ongoing transaction (markers with a bumped epoch) or finishes a Prepare* first, then bumps the
   * epoch, fencing the previous producer. Epoch overflow gets a new producer id at epoch 0.
   *
   * @throws InvalidTransactionTimeoutError (not positive or above the maximum); InvalidArgumentError (empty
   *   id); ConcurrentTransactionsError when a previous transaction cannot be completed yet.
   */
  initProducerId(transactionalId: string, transactionTimeoutMs: number): Promise<{ producerId: number; producerEpoch: number }> {
    return this.serialize(transactionalId, async () => {
      validateId(transactionalId);
      if (!Number.isInteger(transactionTimeoutMs) || transactionTimeoutMs <= 0 || transactionTimeoutMs > this.maxTimeoutMs) {
        throw new InvalidTransactionTimeoutError(
          `Transaction timeout ${transactionTimeoutMs} ms of "${transactionalId}" is not in 1..${this.maxTimeoutMs} ms (transaction.max.timeout.ms)`,
        );
      }
      const now = this.options.clock.now();
      let meta = this.txns.get(transactionalId);
      if (meta === undefined) {
        const fresh: TransactionMetadata = {
          transactionalId,
          producerId: this.options.logManager.allocateProducerId(),
          producerEpoch: 0,
          timeoutMs: transactionTimeoutMs,
          state: 'Empty',
          partitions: new Map(),
          pendingOffsets: new Map(),
          startedAt: -1,
          updatedAt: now,
        };
        await this.persist(fresh, false);
        return { producerId: fresh.producerId, producerEpoch: fresh.producerEpoch };
      }
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') meta = await this.complete(transactionalId);
      else if (meta.state === 'Ongoing') meta = await this.abort(transactionalId, true);
      const next = transitionTo(meta, 'Empty', now);
      if (meta.producerEpoch >= MAX_PRODUCER_EPOCH) {
        next.producerId = this.options.logManager.allocateProducerId();
        next.producerEpoch = 0;
      } else next.producerEpoch = meta.producerEpoch + 1;
      next.timeoutMs = transactionTimeoutMs;
      next.partitions = new Map();
      next.pendingOffsets = new Map();
      next.startedAt = -1;
      await this.persist(next, false);
      return { producerId: next.producerId, producerEpoch: next.producerEpoch };
    });
  }

  /**
   * Adds partitions to the producer's transaction (starting it when none is open).
   *
   * @throws InvalidProducerIdMappingError, ProducerFencedError, ConcurrentTransactionsError (a Prepare* is
   *   being completed), UnknownTopicOrPartitionError.
   */
  addPartitionsToTxn(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    return this.serialize(transactionalId, async () => {
      const meta = ongoingOrStartable(this.txns, transactionalId, producerId, producerEpoch);
      for (const { topic, partition } of partitions) {
        const described = this.options.logManager.describeTopic(topic);
        if (described === undefined || !Number.isInteger(partition) || partition < 0 || partition >= described.numPartitions) {
          throw new UnknownTopicOrPartitionError(topic, partition);
        }
      }
      if (meta.state === 'Ongoing' && partitions.every((tp) => meta.partitions.has(txnPartitionKey(tp.topic, tp.partition)))) return;
      const next = this.begin(meta);
      for (const { topic, partition } of partitions) next.partitions.set(txnPartitionKey(topic, partition), { topic, partition });
      await this.persist(next, false);
    });
  }

  /**
   * Adds a consumer group's offsets to the transaction (Kafka adds the group's `__consumer_offsets`
   * partition); {@link txnOffsetCommit} then holds its offsets until the transaction ends.
   *
   * @throws InvalidProducerIdMappingError, ProducerFencedError, ConcurrentTransactionsError, InvalidArgumentError.
   */
  addOffsetsToTxn(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<void> {
    return this.serialize(transactionalId, async () => {
      if (typeof groupId !== 'string' || groupId.length === 0) throw new InvalidArgumentError(`AddOffsetsToTxn of "${transactionalId}": empty group id`);
      const meta = ongoingOrStartable(this.txns, transactionalId, producerId, producerEpoch);
      if (meta.state === 'Ongoing' && meta.pendingOffsets.has(groupId)) return;
      const next = this.begin(meta);
      if (!next.pendingOffsets.has(groupId)) next.pendingOffsets.set(groupId, new Map());
      await this.persist(next, false);
    });
  }

  /**
   * Offsets held pending in the transaction; applied to the group's committed offsets only when it
   * commits (dropped when it aborts). Durable before it resolves.
   *
   * @throws InvalidProducerIdMappingError, ProducerFencedError, ConcurrentTransactionsError,
   *   InvalidTxnStateError (no open transaction: AddOffsetsToTxn first), InvalidArgumentError.
   */
  txnOffsetCommit(
    transactionalId: string,
    groupId: string,
    producerId: number,
    producerEpoch: number,
    offsets: readonly { topic: string; partition: number; offset: number; metadata?: string | null }[],
  ): Promise<void> {
    return this.serialize(transactionalId, async () => {
      const meta = checkProducer(this.txns, transactionalId, producerId, producerEpoch);
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') throw concurrentError(meta);
      if (meta.state !== 'Ongoing' || !meta.pendingOffsets.has(groupId)) {
        throw new InvalidTxnStateError(
          `TxnOffsetCommit of "${transactionalId}" for group "${groupId}" in state ${meta.state}: the group was not added with AddOffsetsToTxn`,
        );
      }
      for (const o of offsets) {
        // checked now: an offset the group would refuse at commit time would leave the transaction stuck
        const tooLong = o.metadata != null && Buffer.byteLength(o.metadata, 'utf8') > MAX_OFFSET_METADATA_BYTES;
        const badTopic = typeof o.topic !== 'string' || o.topic.length === 0 || Buffer.byteLength(o.topic, 'utf8') > 0x7fff;
        if (badTopic || tooLong || !Number.isSafeInteger(o.offset) || o.offset < -1 || !Number.isInteger(o.partition) || o.partition < 0) {
          throw new InvalidArgumentError(
            `TxnOffsetCommit of "${transactionalId}" for group "${groupId}": invalid offset ${o.offset} for ${o.topic}-${o.partition}` +
              (tooLong ? ` (metadata over ${MAX_OFFSET_METADATA_BYTES} bytes)` : ''),
          );
        }
      }
      const next = transitionTo(meta, 'Ongoing', this.options.clock.now());
      const pending = next.pendingOffsets.get(groupId)!;
      for (const o of offsets) {
        const entry: PendingTxnOffset = { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? null };
        pending.set(txnPartitionKey(o.topic, o.partition), entry);
      }
      await this.persist(next, false);
    });
  }

  /**
   * Commits or aborts the producer's transaction; resolves once every marker is written and (commit) the
   * offsets applied, in state CompleteCommit / CompleteAbort. Repeating the same decision after it
   * completed succeeds (a retry).
   *
   * @throws InvalidProducerIdMappingError, ProducerFencedError (older epoch; also after a timeout abort
   *   bumped the epoch), InvalidTxnStateError (no transaction open, or the opposite decision was taken),
   *   ConcurrentTransactionsError when markers could not all be written yet (retry).
   */
  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    return this.serialize(transactionalId, async () => {
      const meta = checkProducer(this.txns, transactionalId, producerId, producerEpoch);
      const decision = commit ? 'commit' : 'abort';
      switch (meta.state) {
        case 'Ongoing':
          await this.prepare(meta, commit, meta.producerEpoch);
          await this.complete(transactionalId);
          return;
        case 'CompleteCommit':
        case 'CompleteAbort':
          if ((meta.state === 'CompleteCommit') === commit) return;
          break;
        case 'PrepareCommit':
        case 'PrepareAbort':
          if ((meta.state === 'PrepareCommit') !== commit) break;
          await this.complete(transactionalId);
          return;
        case 'Empty':
          break;
      }
      throw new InvalidTxnStateError(`EndTxn (${decision}) of "${transactionalId}" is not allowed in state ${meta.state}`);
    });
  }

  /** The coordinator's view of one transactional id, or undefined when unknown. */
  describeTransaction(transactionalId: string): TransactionDescription | undefined {
    const meta = this.txns.get(transactionalId);
    if (meta === undefined) return undefined;
    return {
      state: meta.state,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      timeoutMs: meta.timeoutMs,
      partitions: [...meta.partitions.values()].map((tp) => ({ ...tp })),
      startedAt: meta.startedAt,
    };
  }

  /** Every known transactional id. */
  listTransactions(): string[] {
    return [...this.txns.keys()];
  }

  /** Runs `op` after every earlier operation on the same transactional id. */
  private serialize<T>(transactionalId: string, op: () => Promise<T>): Promise<T> {
    if (this.state === 'closed') return Promise.reject(new ClosedError('Transaction coordinator'));
    if (this.state === 'new') return Promise.reject(new IllegalStateError('TransactionCoordinator is not started'));
    const previous = this.chains.get(transactionalId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(op);
    this.chains.set(transactionalId, run);
    void run
      .finally(() => {
        if (this.chains.get(transactionalId) === run) this.chains.delete(transactionalId);
      })
      .catch(() => undefined);
    return run;
  }

  /** A copy of `meta` in state Ongoing; a new transaction starts with no partitions or offsets. */
  private begin(meta: TransactionMetadata): TransactionMetadata {
    const now = this.options.clock.now();
    const next = transitionTo(meta, 'Ongoing', now);
    if (meta.state !== 'Ongoing') {
      next.partitions = new Map();
      next.pendingOffsets = new Map();
      next.startedAt = now;
    }
    return next;
  }

  /** Writes `meta` to `__transaction_state` and only then makes it the current state. */
  private async persist(meta: TransactionMetadata, sync: boolean): Promise<void> {
    await this.stateLog.write(meta, sync);
    this.txns.set(meta.transactionalId, meta);
  }

  /** Step 1: the durable decision, with the epoch the markers will carry. */
  private async prepare(meta: TransactionMetadata, commit: boolean, epoch: number): Promise<void> {
    const next = transitionTo(meta, commit ? 'PrepareCommit' : 'PrepareAbort', this.options.clock.now());
    next.producerEpoch = epoch;
    await this.persist(next, this.options.fsyncDecisions === true);
  }

  /** Aborts an Ongoing transaction, with a bumped epoch when `fence` (timeouts, a new producer). */
  private async abort(transactionalId: string, fence: boolean): Promise<TransactionMetadata> {
    const meta = this.txns.get(transactionalId)!;
    const epoch = fence && meta.producerEpoch < MAX_PRODUCER_EPOCH ? meta.producerEpoch + 1 : meta.producerEpoch;
    await this.prepare(meta, false, epoch);
    return this.complete(transactionalId);
  }

  /**
   * Steps 2-4 for a transaction in Prepare*: markers to every partition (a deleted topic is skipped),
   * offsets (commit), then Complete*.
   *
   * @throws ConcurrentTransactionsError (retriable) when a marker or offset write failed; the state stays
   *   Prepare* and the timer retries.
   */
  private async complete(transactionalId: string): Promise<TransactionMetadata> {
    const meta = this.txns.get(transactionalId)!;
    const commit = meta.state === 'PrepareCommit';
    try {
      await writeTxnMarkers(meta, commit, this.options);
    } catch (cause) {
      this.options.logger?.warn(`Writing the ${commit ? 'commit' : 'abort'} markers of "${transactionalId}" failed`, cause);
      throw new ConcurrentTransactionsError(
        `Transaction of "${transactionalId}" could not be completed yet (${meta.state}): ${(cause as Error).message}`,
        { cause },
      );
    }
    const done = transitionTo(meta, commit ? 'CompleteCommit' : 'CompleteAbort', this.options.clock.now());
    done.partitions = new Map();
    done.pendingOffsets = new Map();
    done.startedAt = -1;
    await this.persist(done, false);
    return done;
  }

  private scheduleTimeoutCheck(): void {
    if (this.state !== 'started') return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.scheduleTimeoutCheck(); // checks may overlap: each one re-checks the state inside the id's queue
      void this.abortTimedOut();
    }, this.intervalMs);
  }

  /**
   * Aborts (with an epoch bump, fencing the producer) every Ongoing transaction older than its timeout,
   * and retries completing Prepare* transactions whose markers failed.
   */
  private async abortTimedOut(): Promise<void> {
    const now = this.options.clock.now();
    const work: Promise<unknown>[] = [];
    for (const meta of this.txns.values()) {
      const id = meta.transactionalId;
      if (meta.state === 'Ongoing' && meta.startedAt >= 0 && now - meta.startedAt > meta.timeoutMs) {
        work.push(
          this.serialize(id, async () => {
            const current = this.txns.get(id)!;
            if (current.state !== 'Ongoing' || now - current.startedAt <= current.timeoutMs) return;
            this.options.logger?.info(`Aborting transaction "${id}" of producer ${current.producerId}: timed out after ${current.timeoutMs} ms`);
            await this.abort(id, true);
          }),
        );
      } else if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        work.push(
          this.serialize(id, async () => {
            const current = this.txns.get(id)!;
            if (current.state === 'PrepareCommit' || current.state === 'PrepareAbort') await this.complete(id);
          }),
        );
      }
    }
    const results = await Promise.allSettled(work);
    for (const r of results) if (r.status === 'rejected') this.options.logger?.warn('Aborting a timed-out transaction failed', r.reason);
  }
}
