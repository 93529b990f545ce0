/**
 * Where consumption of a newly assigned partition starts, as Kafka's consumer decides it: a seek made
 * before the assignment wins; else the group's committed offset; else — and when the committed offset is
 * out of range (records deleted or the log truncated) — the `autoOffsetReset` policy: `earliest` is the
 * log start offset, `latest` the high watermark, `none` an error.
 */
import type { PartitionLogApi } from '../../log/log-contracts.ts';
import type { AssignedPartition } from './assigned-partition.ts';
import type { ConsumerHost } from './consumer-host.ts';
import { NoCommittedOffsetError } from '../../errors/group-errors.ts';
import { OffsetOutOfRangeError } from '../../errors/log-errors.ts';

/** Kafka's special seek offset for "the high watermark". */
export const LATEST_OFFSET = -1;
/** Kafka's special seek offset for "the log start offset". */
export const EARLIEST_OFFSET = -2;

/**
 * Positions assigned partitions.
 *
 * @example
 * new PartitionPositioner(host).position([...assigned.values()]);
 */
export class PartitionPositioner {
  constructor(private readonly host: ConsumerHost) {}

  /**
   * Sets `position` and `committed` of each partition.
   *
   * @throws NoCommittedOffsetError when a partition has no committed offset and the policy is `none`;
   *   OffsetOutOfRangeError when the committed offset is out of range and the policy is `none`.
   */
  position(partitions: readonly AssignedPartition[]): void {
    if (partitions.length === 0) return;
    const host = this.host;
    const fetched = host.ctx.coordinator.fetchOffsets({
      groupId: host.groupId,
      partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    });
    for (let i = 0; i < partitions.length; i++) {
      const p = partitions[i]!;
      const committed = fetched[i]?.offset ?? -1;
      p.committed = committed;
      p.uncommitted = 0;
      const seek = host.takeSeek(p.topic, p.partition);
      if (seek !== undefined) {
        p.position = p.log === null ? Math.max(seek, 0) : this.seekTarget(p, p.log, seek);
      } else if (committed >= 0) {
        p.position = committed;
        if (p.log !== null && (committed < p.log.logStartOffset || committed > p.log.highWatermark)) {
          p.position = this.outOfRange(p, p.log);
        }
      } else if (p.log === null) {
        p.position = 0;
      } else {
        const policy = host.resetPolicy(p.topic);
        if (policy === 'none') throw new NoCommittedOffsetError(host.groupId, p.topic, p.partition);
        p.position = policy === 'earliest' ? p.log.logStartOffset : this.latest(p.log);
      }
    }
  }

  /**
   * The reset position for a partition whose position is outside [log start, high watermark].
   * @throws OffsetOutOfRangeError when the policy is `none`.
   */
  outOfRange(p: AssignedPartition, log: PartitionLogApi): number {
    const policy = this.host.resetPolicy(p.topic);
    if (policy === 'none') {
      throw new OffsetOutOfRangeError(p.topic, p.partition, p.position, log.logStartOffset, log.logEndOffset);
    }
    const target = policy === 'earliest' ? log.logStartOffset : this.latest(log);
    this.host.ctx.logger.info(
      `Group "${this.host.groupId}": offset ${p.position} of ${p.name} is out of range ` +
        `[${log.logStartOffset}, ${log.highWatermark}], resetting to ${policy} (${target})`,
    );
    return target;
  }

  /** The latest offset a consumer of this isolation level can reach: the last stable offset for read_committed (as Kafka). */
  private latest(log: PartitionLogApi): number {
    return this.host.options.readCommitted ? log.lastStableOffset : log.highWatermark;
  }

  /** Resolves a seek offset (-1 latest, -2 earliest, else as given). */
  seekTarget(p: AssignedPartition, log: PartitionLogApi, offset: number): number {
    if (offset === LATEST_OFFSET) return this.latest(log);
    if (offset === EARLIEST_OFFSET) return log.logStartOffset;
    return offset;
  }
}
