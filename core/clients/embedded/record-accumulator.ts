/**
 * Per-partition batching for the embedded producer, as Kafka's `RecordAccumulator`: records for one
 * topic-partition collect in an open batch; the batch is handed to the sender when it reaches
 * `batchSize` bytes, when `lingerMs` has passed since its first record, or at once when asked (a send
 * with `lingerMs` 0 asks for its partitions right after adding its records, so each send still forms one
 * batch per partition). At most one batch per partition is in flight; while one is, the next keeps
 * collecting records and goes out as soon as the first is acknowledged — concurrent sends coalesce.
 */
import type { AppendResult, CompressionType } from '../../log/log-contracts.ts';
import type { BatchRecordInput } from '../../log/record-batch.ts';
import { RECORD_BATCH_OVERHEAD } from '../../log/record-batch.ts';
import type { Clock, TimerHandle } from '../../time/clock.ts';
import { ClosedError } from '../../errors/log-errors.ts';

/** Upper bound of a record's encoded size besides key, value and headers (length, attributes, deltas). */
const RECORD_OVERHEAD_ESTIMATE = 21;

/** A batch of records for one topic-partition, open while it collects and then sent once. */
export class ProducerBatch {
  readonly records: BatchRecordInput[] = [];
  /** Estimated encoded size in bytes (uncompressed). */
  estimatedBytes = RECORD_BATCH_OVERHEAD;
  /** Resolves with the append result once the batch is acknowledged. */
  readonly done: Promise<AppendResult>;
  private settle!: { resolve: (r: AppendResult) => void; reject: (e: unknown) => void };

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly compression: CompressionType,
  ) {
    this.done = new Promise<AppendResult>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A batch nobody awaits must not turn into an unhandled rejection; senders await `done` themselves.
    this.done.catch(() => undefined);
  }

  /** Adds a record; returns its index in the batch. */
  add(record: BatchRecordInput, estimatedSize: number): number {
    this.records.push(record);
    this.estimatedBytes += estimatedSize;
    return this.records.length - 1;
  }

  resolve(result: AppendResult): void {
    this.settle.resolve(result);
  }

  reject(error: unknown): void {
    this.settle.reject(error);
  }
}

/** Options of {@link RecordAccumulator}. */
export interface RecordAccumulatorOptions {
  readonly lingerMs: number;
  readonly batchSize: number;
  readonly clock: Clock;
  /** Encodes and appends one batch; the accumulator settles the batch with the outcome. */
  readonly send: (batch: ProducerBatch) => Promise<AppendResult>;
  /** Called when a batch stops taking records (the sticky partitioner moves on). */
  readonly onBatchClosed?: (topic: string, partition: number) => void;
}

/** Per-partition state: the open batch, whether one is in flight, whether the open one is due. */
class PartitionQueue {
  open: ProducerBatch | null = null;
  inFlight: Promise<void> | null = null;
  due = false;
  timer: TimerHandle | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

/** Where a record went: its batch and index, so a send can compute its offsets. */
export interface AccumulatedRecord {
  readonly batch: ProducerBatch;
  readonly index: number;
}

/**
 * Estimated encoded size of a record (upper bound of the varint overheads plus the payload bytes).
 *
 * @example
 * estimateRecordSize({ key: null, value: Buffer.alloc(100), timestamp: 0 }); // 121
 */
export function estimateRecordSize(record: BatchRecordInput): number {
  let size = RECORD_OVERHEAD_ESTIMATE + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  const headers = record.headers;
  if (headers) {
    for (const h of headers) size += 10 + h.key.length * 3 + (h.value?.length ?? 0);
  }
  return size;
}

/**
 * Collects records into per-partition batches and hands them to a sender.
 *
 * @example
 * const acc = new RecordAccumulator({ lingerMs: 5, batchSize: 16384, clock: systemClock, send });
 * const { batch, index } = acc.append('t', 0, { key: null, value: Buffer.from('v'), timestamp: 0 }, 'none');
 * const result = await batch.done; // result.baseOffset + index is the record's offset
 */
export class RecordAccumulator {
  private readonly queues = new Map<string, PartitionQueue>();
  private closed = false;

  constructor(private readonly options: RecordAccumulatorOptions) {}

  /**
   * Adds one record to the open batch of `topic`-`partition`, closing the current batch first when the
   * record does not fit or uses a different compression.
   *
   * @throws ClosedError after {@link RecordAccumulator.close}.
   */
  append(topic: string, partition: number, record: BatchRecordInput, compression: CompressionType): AccumulatedRecord {
    if (this.closed) throw new ClosedError(`Producer for ${topic}-${partition}`);
    return this.appendTo(this.queue(topic, partition), record, compression);
  }

  /**
   * Adds records to `topic`-`partition` in order (see {@link RecordAccumulator.append}); returns where the
   * first went and every batch that received some of them.
   *
   * @throws ClosedError after {@link RecordAccumulator.close}.
   */
  appendAll(
    topic: string,
    partition: number,
    records: readonly BatchRecordInput[],
    compression: CompressionType,
  ): { first: AccumulatedRecord; batches: ProducerBatch[] } {
    if (this.closed) throw new ClosedError(`Producer for ${topic}-${partition}`);
    const queue = this.queue(topic, partition);
    const first = this.appendTo(queue, records[0]!, compression);
    const batches = [first.batch];
    for (let i = 1; i < records.length; i++) {
      const { batch } = this.appendTo(queue, records[i]!, compression);
      if (batch !== batches[batches.length - 1]) batches.push(batch);
    }
    return { first, batches };
  }

  private appendTo(queue: PartitionQueue, record: BatchRecordInput, compression: CompressionType): AccumulatedRecord {
    const size = estimateRecordSize(record);
    let batch = queue.open;
    if (batch !== null && (batch.compression !== compression || batch.estimatedBytes + size > this.options.batchSize)) {
      this.markDue(queue);
      batch = queue.open;
      if (batch !== null) {
        // Still waiting for the in-flight batch: this one is full, so start another behind it.
        this.dispatchFull(queue, batch);
        batch = null;
      }
    }
    if (batch === null) {
      batch = new ProducerBatch(queue.topic, queue.partition, compression);
      queue.open = batch;
      queue.due = false;
      if (this.options.lingerMs > 0) {
        queue.timer = this.options.clock.setTimeout(() => {
          queue.timer = null;
          this.markDue(queue);
        }, this.options.lingerMs);
      }
    }
    const index = batch.add(record, size);
    if (batch.estimatedBytes >= this.options.batchSize) this.markDue(queue);
    return { batch, index };
  }

  /** Sends the open batch of `topic`-`partition` now (or as soon as its in-flight batch is acknowledged). */
  flush(topic: string, partition: number): void {
    const queue = this.queues.get(key(topic, partition));
    if (queue !== undefined) this.markDue(queue);
  }

  /** Sends every open batch and resolves once every batch handed out so far is settled. */
  async flushAll(): Promise<void> {
    for (;;) {
      const pending: Promise<unknown>[] = [];
      for (const queue of this.queues.values()) {
        this.markDue(queue);
        if (queue.inFlight !== null) pending.push(queue.inFlight);
        if (queue.open !== null) pending.push(queue.open.done.catch(() => undefined));
      }
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Flushes everything, then refuses further records. */
  async close(): Promise<void> {
    await this.flushAll();
    this.closed = true;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const k = key(topic, partition);
    let queue = this.queues.get(k);
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition);
      this.queues.set(k, queue);
    }
    return queue;
  }

  /** The open batch is due: send it now unless a batch is in flight (then it goes when that one is done). */
  private markDue(queue: PartitionQueue): void {
    if (queue.open === null) return;
    queue.due = true;
    if (queue.inFlight === null) this.dispatch(queue);
  }

  /**
   * A full batch while another is in flight: chain it behind the in-flight one, so the open slot is free
   * for new records and order is kept.
   */
  private dispatchFull(queue: PartitionQueue, batch: ProducerBatch): void {
    this.closeOpen(queue);
    const previous = queue.inFlight ?? Promise.resolve();
    queue.inFlight = this.chain(queue, previous.then(() => this.sendOne(batch)));
  }

  private dispatch(queue: PartitionQueue): void {
    const batch = this.closeOpen(queue);
    queue.inFlight = this.chain(queue, this.sendOne(batch));
  }

  private chain(queue: PartitionQueue, sending: Promise<void>): Promise<void> {
    const inFlight: Promise<void> = sending.then(() => {
      if (queue.inFlight !== inFlight) return;
      queue.inFlight = null;
      if (queue.open !== null && queue.due) this.dispatch(queue);
    });
    return inFlight;
  }

  private closeOpen(queue: PartitionQueue): ProducerBatch {
    const batch = queue.open!;
    this.clearTimer(queue);
    queue.open = null;
    queue.due = false;
    this.options.onBatchClosed?.(queue.topic, queue.partition);
    return batch;
  }

  private async sendOne(batch: ProducerBatch): Promise<void> {
    try {
      batch.resolve(await this.options.send(batch));
    } catch (error) {
      batch.reject(error);
    }
  }

  private clearTimer(queue: PartitionQueue): void {
    if (queue.timer !== null) {
      this.options.clock.clearTimeout(queue.timer);
      queue.timer = null;
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
