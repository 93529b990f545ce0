/**
 * The input partitions of one task, as Kafka Streams' `PartitionGroup`: the next record to process is
 * the head with the smallest timestamp across the task's partitions (ties: the partition listed first),
 * which keeps co-partitioned inputs aligned in time. A partition with nothing buffered does not hold
 * the others back (Kafka's `max.task.idle.ms` = 0 behaviour).
 */
import type { RecordQueue } from './record-queue.ts';

/**
 * Picks the next queue to take a record from.
 *
 * @example
 * const group = new PartitionGroup([ordersQueue, paymentsQueue]);
 * const q = group.nextQueue(); // the queue whose head has the smallest timestamp, or null
 */
export class PartitionGroup {
  private readonly queues: RecordQueue[];
  private readonly byKey = new Map<string, RecordQueue>();

  constructor(queues: readonly RecordQueue[]) {
    this.queues = [...queues];
    for (const q of queues) this.byKey.set(partitionKey(q.topic, q.partition), q);
  }

  /** The queue of a topic-partition, or undefined. */
  queue(topic: string, partition: number): RecordQueue | undefined {
    return this.byKey.get(partitionKey(topic, partition));
  }

  /** Adds a queue (the test driver's pattern sources); ignored when the partition has one already. */
  addQueue(q: RecordQueue): RecordQueue {
    const key = partitionKey(q.topic, q.partition);
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    this.queues.push(q);
    this.byKey.set(key, q);
    return q;
  }

  /** All queues, in the order given. */
  all(): readonly RecordQueue[] {
    return this.queues;
  }

  /**
   * The queue whose prepared head has the smallest timestamp, or null when nothing is buffered.
   * Prepares heads (deserializing) as needed.
   */
  nextQueue(): RecordQueue | null {
    const queues = this.queues;
    if (queues.length === 1) {
      const q = queues[0]!;
      return q.ensureHead() ? q : null;
    }
    let best: RecordQueue | null = null;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i]!;
      if (!q.ensureHead()) continue;
      if (best === null || q.headTimestamp < best.headTimestamp) best = q;
    }
    return best;
  }

  /** Records buffered across all partitions. */
  numBuffered(): number {
    let n = 0;
    for (const q of this.queues) n += q.size;
    return n;
  }

  /** Drops everything buffered. */
  clear(): void {
    for (const q of this.queues) q.clear();
  }
}

/** The key of a topic-partition in maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
