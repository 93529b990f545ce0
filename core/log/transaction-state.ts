/**
 * The transaction coordinator's view of one transactional id (Kafka's `TransactionMetadata`) and its
 * lifecycle as a transition table (Kafka's `TransactionState`):
 *
 *   Empty -> Ongoing -> PrepareCommit -> CompleteCommit -> Ongoing | Empty ...
 *                    -> PrepareAbort  -> CompleteAbort  -> Ongoing | Empty ...
 *
 * Empty is also re-entered by InitProducerId from Empty or Complete*.
 */
import { IllegalStateError } from '../errors/log-errors.ts';

/** State of a transactional id's current transaction. */
export type TransactionState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

/** The states, in the order their index is stored on disk. Append only. */
export const TRANSACTION_STATES: readonly TransactionState[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
];

/** For each state, the states it may be entered from (Kafka's `validPreviousStates`). */
export const VALID_PREVIOUS_STATES: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
};

/** One offset held by a transaction until it commits. */
export interface PendingTxnOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** Everything the coordinator knows about one transactional id (persisted in `__transaction_state`). */
export interface TransactionMetadata {
  readonly transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionState;
  /** Partitions added to the current transaction, as `topic` + NUL + `partition` keys, in order added. */
  partitions: Map<string, { topic: string; partition: number }>;
  /** group id -> (topic-partition key -> offset) held until commit. */
  pendingOffsets: Map<string, Map<string, PendingTxnOffset>>;
  /** Clock time the current transaction started (first partition or offsets added), -1 when none. */
  startedAt: number;
  /** Clock time of the last state change. */
  updatedAt: number;
}

/** The key of a topic-partition inside {@link TransactionMetadata}. */
export function txnPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Whether `to` may follow `from`.
 *
 * @example
 * canTransition('Ongoing', 'PrepareCommit'); // true
 */
export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/**
 * A copy of `meta` moved to state `to` at time `now` (the original is untouched until the new state is
 * durable).
 *
 * @throws IllegalStateError when the transition table does not allow the move.
 */
export function transitionTo(meta: TransactionMetadata, to: TransactionState, now: number): TransactionMetadata {
  if (!canTransition(meta.state, to)) {
    throw new IllegalStateError(`Transaction "${meta.transactionalId}" cannot move from ${meta.state} to ${to}`);
  }
  return { ...copyMetadata(meta), state: to, updatedAt: now };
}

/** A deep copy of `meta` (partitions and pending offsets). */
export function copyMetadata(meta: TransactionMetadata): TransactionMetadata {
  const pendingOffsets = new Map<string, Map<string, PendingTxnOffset>>();
  for (const [group, offsets] of meta.pendingOffsets) pendingOffsets.set(group, new Map(offsets));
  return { ...meta, partitions: new Map(meta.partitions), pendingOffsets };
}
