/**
 * The embedded producer's default partitioner, as the Java client's: a keyed message goes to
 * `toPositive(murmur2(key)) % numPartitions`; messages without a key stick to one partition per topic,
 * which moves to another (random) partition each time a batch for it is closed, so null-key messages form
 * large batches and still spread over all partitions.
 */
import { partitionForKey } from '../partitioner.ts';

/**
 * Chooses partitions for messages without an explicit partition.
 *
 * @example
 * const p = new DefaultPartitioner();
 * p.partition('t', 6, Buffer.from('user-1')); // same as the Java client
 * p.partition('t', 6, null);                  // the sticky partition of 't'
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /** The partition for a message with `key` (null: the topic's sticky partition). */
  partition(topic: string, numPartitions: number, key: Buffer | null): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    const current = this.sticky.get(topic);
    if (current !== undefined && current < numPartitions) return current;
    const chosen = Math.floor(this.random() * numPartitions);
    this.sticky.set(topic, chosen);
    return chosen;
  }

  /** A batch for `topic`-`partition` was closed: if it was the sticky partition, move to another one. */
  onBatchClosed(topic: string, partition: number, numPartitions: number): void {
    const current = this.sticky.get(topic);
    if (current !== partition) return;
    if (numPartitions <= 1) return;
    const step = 1 + Math.floor(this.random() * (numPartitions - 1));
    this.sticky.set(topic, (current + step) % numPartitions);
  }
}
