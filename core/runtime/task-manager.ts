/**
 * The tasks an application instance runs: created from the group's assignment (one task per
 * sub-topology and partition number), restored, fed by the consumer, committed, suspended on
 * revocation and resumed when the same task comes back (its stores stay open and current), closed when
 * it does not. The commit protocol lives here, in {@link TaskManager.commit}.
 */
import type { KafkaMessage, TopicPartitionOffsetAndMetadata, TopicPartitions } from '../clients/log-client.ts';
import type { TopicPartition } from '../log/assignors/partition-assignor.ts';
import type { TaskId } from '../processor/processor-context.ts';
import { TributaryError } from '../errors/tributary-error.ts';
import { TaskMigratedError } from '../errors/streams-errors.ts';
import { partitionKey } from './partition-group.ts';
import type { StreamTask } from './stream-task.ts';
import type { TopologyLayout } from './topology-layout.ts';

/** The steps of a commit, in order. */
export const COMMIT_STEPS = ['flush-stores', 'flush-producer', 'commit-offsets', 'write-checkpoint'] as const;
/** One commit step. */
export type CommitStep = (typeof COMMIT_STEPS)[number];

/** Reported after each commit step. */
export interface CommitStepEvent {
  /** 1..4. */
  readonly step: number;
  readonly name: CommitStep;
  /** The tasks committed (`0_1`, ...). */
  readonly tasks: readonly string[];
  /**
   * Step 2: the changelog offsets acknowledged; step 3: the offsets committed (exactly-once: with the
   * transaction); step 4: the checkpoint files written (exactly-once: the changelog offsets checkpointed
   * inside the persistent stores, no file).
   */
  readonly detail: readonly string[];
}

/** What the task manager needs from the application. */
export interface TaskManagerDeps {
  readonly layout: TopologyLayout;
  createTask(id: TaskId, partitions: readonly TopicPartition[]): StreamTask;
  /** Commit step 2. */
  flushProducer(): Promise<void>;
  /** Commit step 3 (exactly-once: add the offsets to the open transaction and commit it). */
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  /** Exactly-once: step 3 always runs (the transaction may hold outputs without offsets), step 4 writes no file. */
  readonly eos?: boolean;
  /** The directory of a task (checkpoint, persistent stores). */
  taskDir(task: StreamTask): string;
  onCommitStep?: ((event: CommitStepEvent) => void) | undefined;
  /** A commit rejected because the group moved on (the tasks are about to be revoked). */
  onCommitRejected?: ((error: unknown) => void) | undefined;
}

/**
 * The running tasks of one application instance.
 *
 * @example
 * const created = manager.assign([{ topic: 'orders', partitions: [0, 1] }]); // tasks 0_0 and 0_1
 * manager.addRecords('orders', 1, batch.messages, 100);
 * await manager.commit(manager.tasks());
 */
export class TaskManager {
  private readonly byId = new Map<string, StreamTask>();
  private readonly byPartition = new Map<string, StreamTask>();
  private list: StreamTask[] = [];
  private readonly suspended = new Map<string, StreamTask>();

  constructor(private readonly deps: TaskManagerDeps) {}

  /** The running tasks (a stable array, replaced when tasks come or go). */
  tasks(): readonly StreamTask[] {
    return this.list;
  }

  /** The task reading a topic-partition, or undefined. */
  taskFor(topic: string, partition: number): StreamTask | undefined {
    return this.byPartition.get(partitionKey(topic, partition));
  }

  /** The tasks that process records now (not restoring). */
  runningTasks(): StreamTask[] {
    return this.list.filter((t) => t.state === 'running');
  }

  /** Tasks kept across a rebalance, waiting to be resumed or closed. */
  suspendedTasks(): readonly StreamTask[] {
    return [...this.suspended.values()];
  }

  /**
   * Takes the tasks of newly assigned partitions (partition p of sub-topology s's topics -> task s_p):
   * a suspended task with the same id and partitions is resumed as it is; any other task is created
   * and its stores initialized (state `restoring`: the caller restores and completes it). Partitions
   * of tasks already active are ignored.
   * @returns the tasks that need restoring (created, or resumed mid-restore)
   */
  assign(assignment: readonly TopicPartitions[]): StreamTask[] {
    const grouped = new Map<string, { id: TaskId; partitions: TopicPartition[] }>();
    for (const { topic, partitions } of assignment) {
      const sub = this.deps.layout.subtopologyOf(topic);
      if (sub === undefined) continue;
      for (const partition of partitions) {
        if (this.byPartition.has(partitionKey(topic, partition))) continue;
        const key = `${sub.id}_${partition}`;
        let entry = grouped.get(key);
        if (entry === undefined) grouped.set(key, (entry = { id: { subtopology: sub.id, partition }, partitions: [] }));
        entry.partitions.push({ topic, partition });
      }
    }
    const created: StreamTask[] = [];
    let changed = false;
    for (const [key, { id, partitions }] of grouped) {
      const existing = this.byId.get(key);
      if (existing !== undefined) continue;
      let task = this.suspended.get(key);
      if (task !== undefined && samePartitions(task.partitions, partitions)) {
        this.suspended.delete(key);
        task.resume();
        if (task.state === 'restoring') created.push(task);
      } else {
        task = this.deps.createTask(id, partitions);
        task.initializeStores();
        created.push(task);
      }
      this.byId.set(key, task);
      for (const tp of partitions) this.byPartition.set(partitionKey(tp.topic, tp.partition), task);
      changed = true;
    }
    if (changed) this.list = [...this.byId.values()];
    return created;
  }

  /**
   * Keeps detached (and committed) tasks suspended: they keep their stores in case the next assignment
   * gives them back; {@link TaskManager.assign} resumes them, {@link TaskManager.takeSuspended} hands the
   * others back for closing.
   */
  keepSuspended(tasks: readonly StreamTask[]): void {
    for (const task of tasks) {
      if (task.isClosed) continue;
      task.suspend();
      this.suspended.set(task.name, task);
    }
  }

  /** Takes every suspended task out (the caller closes them: they were not reassigned). */
  takeSuspended(): StreamTask[] {
    const out = [...this.suspended.values()];
    this.suspended.clear();
    return out;
  }

  /**
   * Takes the tasks owning any of these partitions out of the running set (they get no more records and
   * are not processed); the caller commits and closes them.
   */
  detach(revoked: readonly TopicPartitions[]): StreamTask[] {
    const out = new Set<StreamTask>();
    for (const { topic, partitions } of revoked) {
      for (const p of partitions) {
        const task = this.byPartition.get(partitionKey(topic, p));
        if (task !== undefined) out.add(task);
      }
    }
    for (const task of out) this.remove(task);
    return [...out];
  }

  /** Takes every task out of the running set. */
  detachAll(): StreamTask[] {
    const all = [...this.byId.values()];
    for (const task of all) this.remove(task);
    return all;
  }

  /** Buffers fetched messages in the owning task; returns the partition's queue size (-1: no task). */
  addRecords(topic: string, partition: number, messages: readonly KafkaMessage[], highWatermark: number): number {
    const task = this.byPartition.get(partitionKey(topic, partition));
    return task === undefined ? -1 : task.addRecords(topic, partition, messages, highWatermark);
  }

  /**
   * Commits the progress of `tasks`:
   * 1. flush each task's state stores (`store.flush()`), so they hold everything processed;
   * 2. flush the producer: wait until every record the record collector handed out is acknowledged
   *    (outputs, repartition records, dead letters);
   * 3. commit the input offsets: for each input partition the next offset to process
   *    (`consumer.commitOffsets`), only after the outputs of the records below it are durable;
   * 4. checkpoint each stateful task: every persistent store gets `checkpoint(lastChangelogOffset)`
   *    (for LMDB the data and the offset commit in one transaction), and the task's checkpoint file
   *    lists the changelog offsets of all its logged stores. As in Kafka Streams (`maybeCheckpoint`), a
   *    task checkpoints at its first commit and then only once its changelogs moved more than 10,000
   *    records since its last checkpoint, unless `enforceCheckpoint` (suspend, close) says always.
   * The order is at-least-once: a crash between 3 and 4 leaves local state (and its checkpoint) older
   * than the committed input offsets; the restart restores the changelog tail past the checkpoint
   * (which holds every change up to the crash), so the stores reflect every committed input record.
   * Each step is reported through `onCommitStep` after it completes. A commit the group rejects (it is
   * rebalancing and the tasks are moving) stops after step 3 and returns false: the next owner
   * reprocesses from the previous commit (at-least-once).
   *
   * Exactly-once (v2): everything the tasks produced since the last commit (outputs, repartition records,
   * changelog writes) is in the thread's open transaction. Step 1 flushes the stores (cached changes go to
   * the changelogs, joining the transaction); step 2 waits until every send of the transaction is
   * acknowledged; step 3 adds the input offsets to the transaction (`sendOffsets`) and commits it: outputs,
   * changelog writes and offsets become visible to read_committed readers together. Step 4 checkpoints
   * the persistent stores inside their own files (LMDB: data and offset in one LMDB transaction, written
   * only now, so it holds committed changes only); the task's checkpoint file is not written (it is
   * written at a clean suspend or close, and deleted when the task starts processing). A failure of step 3
   * means the transaction did not commit: TaskMigratedError (the caller aborts the transaction, closes the
   * tasks dirty and rebuilds them from the changelogs).
   *
   * @returns whether the offsets were committed
   * @throws StreamsError from step 2 when the production error handler decided to fail;
   *   TaskMigratedError from step 3 under exactly-once
   */
  async commit(tasks: readonly StreamTask[], enforceCheckpoint = false): Promise<boolean> {
    const names = tasks.map((t) => t.name);
    const report = (step: number, detail: readonly string[] = []): void => {
      this.deps.onCommitStep?.({ step, name: COMMIT_STEPS[step - 1]!, tasks: names, detail });
    };
    // 1.
    for (const task of tasks) task.flushStores();
    report(1);
    // 2.
    await this.deps.flushProducer();
    report(2, tasks.flatMap((t) => (t.isClosed ? [] : t.stateManager.noteAcknowledged())));
    // 3.
    const perTask = tasks.map((t) => t.offsetsToCommit());
    const offsets = perTask.flat();
    if (this.deps.eos === true) {
      try {
        await this.deps.commitOffsets(offsets);
      } catch (error) {
        throw new TaskMigratedError(names.join(','), `the transaction did not commit: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      }
    } else if (offsets.length > 0) {
      try {
        await this.deps.commitOffsets(offsets);
      } catch (error) {
        if (!(error instanceof TributaryError) || !error.retriable) throw error;
        this.deps.onCommitRejected?.(error);
        return false;
      }
    }
    tasks.forEach((t, i) => t.markCommitted(perTask[i]!));
    report(3, offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`));
    // 4.
    const files: string[] = [];
    const eos = this.deps.eos === true;
    for (const task of tasks) {
      if (!task.stateful || task.isClosed) continue;
      if (!enforceCheckpoint && !task.stateManager.checkpointNeeded()) continue;
      const file = task.checkpoint(!eos);
      if (file !== null) files.push(file);
      else if (eos) for (const [key, offset] of task.changelogOffsets()) files.push(`${key.replace(' ', '-')}@${offset}`);
    }
    report(4, files);
    return true;
  }

  private remove(task: StreamTask): void {
    if (this.byId.get(task.name) !== task) return;
    this.byId.delete(task.name);
    for (const tp of task.partitions) this.byPartition.delete(partitionKey(tp.topic, tp.partition));
    this.list = [...this.byId.values()];
  }
}

function samePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((tp) => partitionKey(tp.topic, tp.partition)));
  return b.every((tp) => keys.has(partitionKey(tp.topic, tp.partition)));
}
