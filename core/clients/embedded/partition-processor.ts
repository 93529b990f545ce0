/**
 * Delivers fetched batches to the user's `eachMessage` or `eachBatch`, as kafkajs's runner does:
 * messages in offset order per partition, up to `partitionsConsumedConcurrently` partitions at once,
 * the position (= offset to commit) advanced as messages are processed or resolved. A seek, a pause,
 * a rebalance or stop ends delivery of the current batch after the message in progress; the rest is
 * fetched again by whoever owns the partition next. A handler that throws commits what was processed
 * (autoCommit) and crashes the consumer.
 */
import { ConsumerEvents, type ConsumerRunConfig, type EachBatchPayload, type OffsetsByTopicPartition } from '../log-client.ts';
import type { AssignedPartition } from './assigned-partition.ts';
import type { ConsumerHost } from './consumer-host.ts';
import type { ConsumerRunner } from './consumer-runner.ts';
import type { EmbeddedBatch } from './embedded-batch.ts';

/**
 * Runs the handlers for fetched batches.
 *
 * @example
 * await new PartitionProcessor(host, runner, { eachMessage }).process(batches);
 */
export class PartitionProcessor {
  constructor(
    private readonly host: ConsumerHost,
    private readonly runner: ConsumerRunner,
    private readonly config: ConsumerRunConfig,
  ) {}

  /** Processes the batches of one fetch (each batch belongs to a different partition). */
  async process(batches: readonly EmbeddedBatch[]): Promise<void> {
    const concurrency = Math.max(1, this.config.partitionsConsumedConcurrently ?? 1);
    if (concurrency === 1 || batches.length <= 1) {
      for (const batch of batches) {
        if (this.runner.shouldInterrupt()) return;
        await this.processBatch(batch);
      }
      return;
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length && !this.runner.shouldInterrupt()) await this.processBatch(batches[next++]!);
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < Math.min(concurrency, batches.length); i++) workers.push(worker());
    await Promise.all(workers);
  }

  private async processBatch(batch: EmbeddedBatch): Promise<void> {
    const p = this.runner.assigned.get(`${batch.topic}\u0000${batch.partition}`);
    if (p === undefined || p.position !== batch.fetchedOffset) return; // revoked or seeked since the fetch
    if (batch.isEmpty()) {
      p.resolve(batch.nextOffset); // only control records or records below the position
      return;
    }
    const emitter = this.host.emitter;
    const clock = this.host.ctx.clock;
    const observed = emitter.has(ConsumerEvents.START_BATCH_PROCESS) || emitter.has(ConsumerEvents.END_BATCH_PROCESS);
    const started = observed ? clock.now() : 0;
    const info = observed ? batchInfo(batch) : null;
    if (info !== null) emitter.emit(ConsumerEvents.START_BATCH_PROCESS, info);
    if (this.config.eachMessage) await this.eachMessage(batch, p);
    else await this.eachBatch(batch, p);
    if (info !== null) emitter.emit(ConsumerEvents.END_BATCH_PROCESS, { ...info, duration: clock.now() - started });
  }

  private pauseFn(topic: string, partition: number): () => () => void {
    return () => {
      this.host.pausePartition(topic, partition);
      return () => this.host.resumePartition(topic, partition);
    };
  }

  private async eachMessage(batch: EmbeddedBatch, p: AssignedPartition): Promise<void> {
    const handler = this.config.eachMessage!;
    const runner = this.runner;
    const { topic, partition } = batch;
    const epoch = p.seekEpoch;
    const pause = this.pauseFn(topic, partition);
    const heartbeat = async (): Promise<void> => {
      runner.member.heartbeat();
    };
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i++) {
      if (runner.shouldInterrupt() || p.seekEpoch !== epoch || this.host.isPaused(topic, partition)) return;
      const message = messages[i]!;
      try {
        await handler({ topic, partition, message, heartbeat, pause });
      } catch (error) {
        await runner.autoCommit();
        throw error;
      }
      if (p.seekEpoch !== epoch) return;
      p.resolve(message.offsetNumber + 1);
      await runner.autoCommitIfNecessary();
    }
    if (p.seekEpoch === epoch) p.resolve(batch.nextOffset);
  }

  private async eachBatch(batch: EmbeddedBatch, p: AssignedPartition): Promise<void> {
    const handler = this.config.eachBatch!;
    const runner = this.runner;
    const epoch = p.seekEpoch;
    const last = batch.lastOffsetNumber();
    const payload: EachBatchPayload = {
      batch,
      resolveOffset: (offset: string) => {
        if (p.seekEpoch !== epoch) return;
        const o = Number(offset);
        // Resolving the last message also resolves trailing control records (kafkajs does the same).
        p.resolve(o === last ? batch.nextOffset : o + 1);
      },
      heartbeat: async () => {
        runner.member.heartbeat();
      },
      pause: this.pauseFn(batch.topic, batch.partition),
      commitOffsetsIfNecessary: async (offsets?: OffsetsByTopicPartition) => {
        if (offsets === undefined) return runner.autoCommitIfNecessary();
        const list = offsets.topics.flatMap(({ topic, partitions }) =>
          partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
        );
        return this.host.commitOffsets(list);
      },
      uncommittedOffsets: () => uncommittedOffsets(runner.assigned.values()),
      isRunning: () => runner.running,
      isStale: () => p.seekEpoch !== epoch || runner.shouldInterrupt(),
    };
    try {
      await handler(payload);
    } catch (error) {
      await runner.autoCommit();
      throw error;
    }
    if (this.config.eachBatchAutoResolve !== false && p.seekEpoch === epoch) p.resolve(batch.nextOffset);
  }
}

function batchInfo(batch: EmbeddedBatch) {
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    offsetLag: batch.offsetLag(),
    offsetLagLow: batch.offsetLagLow(),
    batchSize: batch.messages.length,
    firstOffset: batch.firstOffset(),
    lastOffset: batch.lastOffset(),
  };
}

/** Processed but uncommitted positions, grouped by topic (kafkajs's `uncommittedOffsets()`). */
export function uncommittedOffsets(partitions: Iterable<AssignedPartition>): OffsetsByTopicPartition {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const p of partitions) {
    if (!p.dirty) continue;
    let list = byTopic.get(p.topic);
    if (list === undefined) byTopic.set(p.topic, (list = []));
    list.push({ partition: p.partition, offset: String(p.position) });
  }
  return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
}
