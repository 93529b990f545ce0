/**
 * Counters of a running application and the snapshots `metrics$` emits: records processed and their
 * rate, commits and their latency, and per task the records processed, buffered and the lag behind the
 * last known high watermark. Counting is a few additions per loop turn, never per record.
 */

/** Per-task figures in a snapshot. */
export interface TaskMetrics {
  readonly taskId: string;
  readonly processed: number;
  readonly buffered: number;
  /** Records in the task's partitions beyond what it processed (by the last fetched high watermarks). */
  readonly lag: number;
}

/** One `metrics$` emission. */
export interface StreamsMetricsSnapshot {
  /** Clock time of the snapshot. */
  readonly timestamp: number;
  /** Records processed since start. */
  readonly recordsProcessed: number;
  /** Records per second since the previous snapshot (since start for the first one). */
  readonly recordsPerSec: number;
  readonly commitCount: number;
  readonly commitLatencyAvgMs: number;
  readonly commitLatencyMaxMs: number;
  readonly tasks: readonly TaskMetrics[];
}

/**
 * Mutable counters owned by the runtime loop.
 *
 * @example
 * metrics.recordCommit(12);
 * metrics.snapshot(now, tasks, previous);
 */
export class StreamsMetrics {
  recordsProcessed = 0;
  commitCount = 0;
  private commitLatencyTotal = 0;
  private commitLatencyMax = 0;

  constructor(readonly startedAt: number) {}

  /** Counts one commit that took `ms`. */
  recordCommit(ms: number): void {
    this.commitCount++;
    this.commitLatencyTotal += ms;
    if (ms > this.commitLatencyMax) this.commitLatencyMax = ms;
  }

  /** A snapshot; the rate is measured against `previous` (or the start). */
  snapshot(now: number, tasks: readonly TaskMetrics[], previous: StreamsMetricsSnapshot | null): StreamsMetricsSnapshot {
    const sinceTime = previous?.timestamp ?? this.startedAt;
    const sinceCount = previous?.recordsProcessed ?? 0;
    const seconds = Math.max(0.001, (now - sinceTime) / 1000);
    return {
      timestamp: now,
      recordsProcessed: this.recordsProcessed,
      recordsPerSec: (this.recordsProcessed - sinceCount) / seconds,
      commitCount: this.commitCount,
      commitLatencyAvgMs: this.commitCount === 0 ? 0 : this.commitLatencyTotal / this.commitCount,
      commitLatencyMaxMs: this.commitLatencyMax,
      tasks,
    };
  }
}
