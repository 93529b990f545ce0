/**
 * Where sink nodes hand their serialized records: the real runtime batches them into the producer
 * ({@link LogRecordCollector}), the TopologyTestDriver captures them in memory. Everything else in a task
 * is the same code in both.
 */
import type { RecordHeader } from '../log/log-contracts.ts';
import type { StreamPartitioner } from '../topology/physical-topology.ts';

/** Partition value meaning "let the producer decide" (murmur2 of the key bytes, sticky for a null key). */
export const ANY_PARTITION = -1;

/**
 * The sink side of a task. All calls are synchronous on the per-record path; only {@link RecordCollector.flush}
 * waits.
 */
export interface RecordCollector {
  /**
   * Queues a serialized record for `topic`.
   * @param partition an explicit partition, or {@link ANY_PARTITION}
   */
  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[],
    timestamp: number,
    partition: number,
  ): void;
  /**
   * Queues a record whose partition a {@link StreamPartitioner} picks from the typed key and value
   * (`undefined` from the partitioner: the default partitioning).
   */
  sendPartitioned(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[],
    timestamp: number,
    partitioner: StreamPartitioner<unknown, unknown>,
    typedKey: unknown,
    typedValue: unknown,
  ): void;
  /** Hands what is queued to the log without waiting (called at the end of each loop turn). */
  sendBuffered(): void;
  /** Sends what is queued and waits until every record sent so far is acknowledged (commit step 2). */
  flush(): Promise<void>;
  /** Records handed in and not yet acknowledged. */
  readonly pending: number;
  /**
   * The offset of the last acknowledged record this collector sent to `topic`-`partition`, or -1.
   * Known for topics announced with {@link RecordCollector.trackOffsets} (changelogs); read after
   * {@link RecordCollector.flush}, it is the changelog offset a store's checkpoint names.
   */
  lastOffset(topic: string, partition: number): number;
  /** Starts remembering acknowledged offsets of `topic` (the runtime does so for changelog topics). */
  trackOffsets(topic: string): void;
}
