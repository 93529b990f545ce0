/**
 * The consumer's state for one partition assigned to it: where consumption stands (the next offset to
 * deliver, which is also the offset to commit), what was last committed, and a counter that a seek bumps
 * so that the rest of a batch fetched before the seek is recognised as stale.
 */
import type { PartitionLogApi } from '../../log/log-contracts.ts';

/** One assigned topic-partition. */
export class AssignedPartition {
  /** The next offset to deliver; every offset below it is processed (resolved). */
  position = -1;
  /** The last committed offset (Kafka convention: the next offset to read), -1 when none is known. */
  committed = -1;
  /** Bumped by every seek; a batch remembers the value it was fetched under. */
  seekEpoch = 0;
  /** Messages resolved since the last commit (for `autoCommitThreshold`). */
  uncommitted = 0;
  /** The partition's log, or null once the topic is gone. */
  log: PartitionLogApi | null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    log: PartitionLogApi | null,
  ) {
    this.log = log;
  }

  /** Moves the position forward (processing) and counts the resolved messages. */
  resolve(nextOffset: number): void {
    if (nextOffset > this.position) {
      this.uncommitted += nextOffset - this.position;
      this.position = nextOffset;
    }
  }

  /** Whether the position differs from what is committed. */
  get dirty(): boolean {
    return this.position >= 0 && this.position !== this.committed;
  }

  /** `topic-partition`, for messages. */
  get name(): string {
    return `${this.topic}-${this.partition}`;
  }
}
