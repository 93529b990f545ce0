/**
 * Time- and size-based retention (Kafka's log retention for `cleanup.policy` containing `delete`): deletes
 * the oldest closed segments while they are past `retention.ms` or the partition is over
 * `retention.bytes`, and moves the log start offset up. The active segment is never deleted.
 */
import type { Clock } from '../time/clock.ts';
import type { PartitionLog } from './partition-log.ts';
import { policyDeletes } from './topic-config.ts';

/**
 * Applies a topic's retention to one partition log. The log manager schedules {@link run}.
 *
 * @example
 * const retention = new RetentionManager(systemClock);
 * const deleted = await retention.run(log); // number of segments deleted
 */
export class RetentionManager {
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * Deletes whole closed segments, oldest first: those whose largest record timestamp is older than
   * `retention.ms` (clock time; segments without timestamps are kept), then while the partition size minus
   * the oldest segment is still >= `retention.bytes`. Does nothing unless the policy includes `delete`.
   * Runs inside the log's maintenance lock.
   *
   * @returns the number of segments deleted.
   * @throws ClosedError when the log is closed.
   */
  run(log: PartitionLog): Promise<number> {
    return log.withMaintenance(() => {
      const config = log.config;
      if (!policyDeletes(config.cleanupPolicy)) return 0;
      const segments = log.segments;
      const closed = segments.length - 1;
      const now = this.clock.now();
      let n = 0;
      if (config.retentionMs >= 0) {
        while (n < closed) {
          const maxTimestamp = segments[n]!.maxTimestamp;
          if (maxTimestamp < 0 || now - maxTimestamp <= config.retentionMs) break;
          n++;
        }
      }
      if (config.retentionBytes >= 0) {
        let excess = log.sizeInBytes - config.retentionBytes;
        for (let i = 0; i < n; i++) excess -= segments[i]!.size;
        while (n < closed && excess - segments[n]!.size >= 0) {
          excess -= segments[n]!.size;
          n++;
        }
      }
      return log.deleteOldestSegments(n);
    });
  }
}
