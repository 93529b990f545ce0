/**
 * Steps 2 and 3 of ending a transaction (Kafka's `TransactionMarkerChannelManager`, in process): a commit
 * or abort marker to every partition of the transaction, then, on commit, the pending consumer offsets
 * applied to their groups.
 */
import type { LogManagerApi } from './log-contracts.ts';
import type { GroupCoordinator } from './group-coordinator.ts';
import type { TransactionMetadata } from './transaction-state.ts';
import { UnknownTopicOrPartitionError } from '../errors/log-errors.ts';

/** Coordinator epoch written into markers (one coordinator per data directory). */
export const COORDINATOR_EPOCH = 0;

/** What {@link writeTxnMarkers} writes to. */
export interface TxnMarkerTargets {
  readonly logManager: LogManagerApi;
  readonly groups: GroupCoordinator;
  /** Called after each marker append. */
  readonly onAppend?: ((topic: string, partition: number) => void) | undefined;
}

/**
 * Writes the markers of `meta` (producer id and epoch as recorded in its Prepare* state) to all its
 * partitions at once; a partition of a deleted topic is skipped. On commit, then applies the pending
 * offsets group by group. Safe to repeat after a crash: a second marker for a transaction that already
 * ended changes nothing, and offsets are committed again with the same values.
 *
 * @throws whatever a marker append or offset commit throws (the caller keeps the state Prepare*).
 */
export async function writeTxnMarkers(meta: TransactionMetadata, commit: boolean, targets: TxnMarkerTargets): Promise<void> {
  const { logManager, onAppend } = targets;
  await Promise.all(
    [...meta.partitions.values()].map(async ({ topic, partition }) => {
      let log;
      try {
        log = logManager.partition(topic, partition);
      } catch (error) {
        if (error instanceof UnknownTopicOrPartitionError) return;
        throw error;
      }
      await log.appendTxnMarker(meta.producerId, meta.producerEpoch, commit, COORDINATOR_EPOCH);
      onAppend?.(topic, partition);
    }),
  );
  if (!commit) return;
  for (const [groupId, offsets] of meta.pendingOffsets) {
    if (offsets.size > 0) await targets.groups.commitTransactionalOffsets(groupId, [...offsets.values()]);
  }
}
