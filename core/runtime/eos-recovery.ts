/**
 * Exactly-once recovery from a TaskMigrated failure (Kafka Streams' `handleTaskMigrated` under EOS v2):
 * the transaction did not commit (its commit failed, or the producer was fenced), so what the tasks did
 * since the last commit must be dropped everywhere:
 *
 * 1. abort the open transaction (its outputs, changelog writes and offsets never become visible);
 * 2. close every task dirty: processors and stores closed without a commit or a checkpoint file (LMDB
 *    stores drop their pending writes; their in-store checkpoint still names the last committed state);
 * 3. drop the record collector's buffered records and failure;
 * 4. a fenced producer is replaced by a new one (initProducerId with the same transactional id);
 * 5. rebuild the tasks of the current assignment: each input partition is moved back to its committed
 *    offset, and the new tasks restore their stores from the changelogs (read_committed) before they
 *    process again.
 */
import type { Admin, Consumer, Producer, TopicPartitions } from '../clients/log-client.ts';
import { TaskMigratedError } from '../errors/streams-errors.ts';
import { TributaryError } from '../errors/tributary-error.ts';
import type { LogRecordCollector } from './log-record-collector.ts';
import type { StreamTask } from './stream-task.ts';
import type { ResolvedStreamsConfig } from './streams-config.ts';
import type { StreamsProducer } from './streams-producer.ts';
import type { TaskManager } from './task-manager.ts';

/** What the recovery needs from the stream thread. */
export interface EosRecoveryHost {
  readonly config: ResolvedStreamsConfig;
  readonly admin: Admin;
  readonly consumer: Consumer;
  readonly taskManager: TaskManager;
  readonly collector: LogRecordCollector;
  readonly streamsProducer: StreamsProducer;
  /** Disconnects the fenced producer and connects a new one with the same transactional id. */
  connectProducer(): Promise<Producer>;
  closeTasks(tasks: readonly StreamTask[]): void;
  /** Resumes partitions paused for backpressure (their queues are gone). */
  resumeAllPaused(): void;
  /** Creates (and restores) the tasks of an assignment, as after a rebalance. */
  reassign(assignment: TopicPartitions[]): Promise<void>;
}

function isFencing(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TributaryError && (e.code === 'PRODUCER_FENCED' || e.code === 'INVALID_PRODUCER_EPOCH')) return true;
  }
  return false;
}

/**
 * Whether a failure means "the tasks' uncommitted work is lost" under exactly-once: a commit that did not
 * commit (TaskMigratedError) or a fenced producer anywhere in the cause chain.
 */
export function isTaskMigration(error: unknown): boolean {
  return error instanceof TaskMigratedError || isFencing(error);
}

/**
 * One recovery.
 *
 * @example
 * await new EosRecovery(host).recover(assignment, error);
 */
export class EosRecovery {
  constructor(private readonly host: EosRecoveryHost) {}

  /** Steps 1-4 for `tasks` (already taken out of the task manager). */
  async abandon(tasks: readonly StreamTask[], error: unknown): Promise<void> {
    const h = this.host;
    h.config.logger.warn(`Application "${h.config.applicationId}": ${(error as Error)?.message ?? String(error)}; aborting the transaction and rebuilding the tasks from the changelogs`);
    // 1.
    const abortFailure = await h.streamsProducer.abortTransaction();
    // 2.
    h.closeTasks(tasks);
    // 3.
    await h.collector.reset();
    // 4.
    if (isFencing(error) || isFencing(abortFailure) || abortFailure !== null) h.streamsProducer.replace(await h.connectProducer());
  }

  /** Steps 1-5 for every task of the thread. */
  async recover(assignment: TopicPartitions[], error: unknown): Promise<void> {
    const h = this.host;
    const tasks = [...h.taskManager.detachAll(), ...h.taskManager.takeSuspended()];
    await this.abandon(tasks, error);
    // 5.
    const positions = await this.committedPositions(assignment);
    h.resumeAllPaused();
    await h.reassign(assignment);
    for (const p of positions) h.consumer.seek(p);
  }

  /** The committed offset of every assigned partition (no commit yet: the topic's earliest offset). */
  private async committedPositions(assignment: readonly TopicPartitions[]): Promise<{ topic: string; partition: number; offset: string }[]> {
    const h = this.host;
    const topics = assignment.map((a) => a.topic);
    if (topics.length === 0) return [];
    const committed = await h.admin.fetchOffsets({ groupId: h.config.applicationId, topics });
    const byKey = new Map<string, string>();
    for (const { topic, partitions } of committed) for (const p of partitions) byKey.set(`${topic}\u0000${p.partition}`, p.offset);
    const out: { topic: string; partition: number; offset: string }[] = [];
    for (const { topic, partitions } of assignment) {
      let earliest: Map<number, string> | null = null;
      for (const partition of partitions) {
        let offset = byKey.get(`${topic}\u0000${partition}`) ?? '-1';
        if (Number(offset) < 0) {
          earliest ??= new Map((await h.admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.low]));
          offset = earliest.get(partition) ?? '0';
        }
        out.push({ topic, partition, offset });
      }
    }
    return out;
  }
}
