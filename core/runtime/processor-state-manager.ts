/**
 * The state of one task (Kafka Streams' `ProcessorStateManager`): builds the task's stores from their
 * builders, gives each a {@link StateStoreContext} (changelog topic and partition, `register`,
 * `logChange`, the app-wide store cache as `cache`), keeps what each store registered for restore, the
 * changelog offset each store's data reflects, and writes the checkpoint (commit step 4).
 *
 * Local state: a persistent store tells which changelog offset its local data reflects through
 * `restoredOffset()` (LMDB keeps it in the same transaction as the data); a persistent store without
 * that method falls back to the task's checkpoint file. In-memory stores never have local state. A store
 * whose local state is missing, unreadable or inconsistent with its changelog is wiped and restored
 * from the start of the changelog.
 */
import type { RecordHeader } from '../log/log-contracts.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { RestoreCallback, StateStore, StateStoreContext, StoreBuilder } from '../processor/state-store.ts';
import type { Clock } from '../time/clock.ts';
import { changelogTopicName, resolveTopicName } from '../topology/physical-topology.ts';
import { TopologyError } from '../errors/streams-errors.ts';
import { checkpointKey, deleteCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint-file.ts';
import type { RecordCollector } from './record-collector.ts';

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

/**
 * A commit checkpoints a task's stores only once its changelogs moved past the last checkpoint by more
 * than this many records in total (Kafka Streams' `OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT`, checked by
 * `StreamTask.maybeCheckpoint`); a suspend or close always checkpoints.
 */
export const OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT = 10_000;

/** One store of a task with its changelog. */
export interface TaskStore {
  readonly name: string;
  readonly store: StateStore;
  /** The resolved changelog topic, or null when logging is off. */
  readonly changelogTopic: string | null;
  /** The changelog partition (the task's partition number). */
  readonly partition: number;
  /** What the store registered for restore (null until `register`). */
  restore: RestoreCallback | null;
  /** The last changelog offset the store's data reflects (-1: none). */
  offset: number;
}

/** What the state manager needs from its task and application. */
export interface ProcessorStateManagerOptions {
  readonly applicationId: string;
  readonly clock: Clock;
  readonly collector: RecordCollector;
  readonly storeBuilders: ReadonlyMap<string, StoreBuilder>;
  /** `<stateDir>/<applicationId>/<taskId>`. */
  readonly taskDir: string;
  /** The app-wide store cache, handed to stores as `context.cache` (absent: stores use a private one). */
  readonly cache?: unknown;
}

/**
 * The stores of one task.
 *
 * @example
 * const state = new ProcessorStateManager(taskId, ['counts'], options);
 * state.initializeStores();
 * state.localOffset(state.stores()[0]!); // the changelog offset local data reflects, or null
 */
export class ProcessorStateManager {
  private readonly byName = new Map<string, TaskStore>();
  private readonly fileOffsets: Map<string, number> | null;
  /** The changelog offsets of the last checkpoint, by store name (null: none since the stores were built). */
  private checkpointed: Map<string, number> | null = null;

  constructor(
    readonly taskId: TaskId,
    private readonly storeNames: readonly string[],
    private readonly options: ProcessorStateManagerOptions,
  ) {
    this.fileOffsets = storeNames.length === 0 ? null : safeReadCheckpoint(options.taskDir);
  }

  /**
   * Builds and initializes every store (each registers its restore callback).
   * @throws TopologyError for a store without a builder
   */
  initializeStores(): void {
    for (const name of this.storeNames) {
      const builder = this.options.storeBuilders.get(name);
      if (builder === undefined) throw new TopologyError(`Task ${this.taskId.subtopology}_${this.taskId.partition}: no builder for store "${name}"`);
      const store = builder.build();
      const changelogTopic = builder.loggingEnabled
        ? resolveTopicName({ name: changelogTopicName(builder.name), internal: true }, this.options.applicationId)
        : null;
      if (changelogTopic !== null) this.options.collector.trackOffsets(changelogTopic);
      const entry: TaskStore = { name, store, changelogTopic, partition: this.taskId.partition, restore: null, offset: -1 };
      this.byName.set(name, entry);
      store.init(this.contextFor(entry), store);
    }
  }

  /** The task's stores, in topology order. */
  stores(): readonly TaskStore[] {
    return [...this.byName.values()];
  }

  /** A store instance by name. */
  store(name: string): StateStore | undefined {
    return this.byName.get(name)?.store;
  }

  /**
   * The changelog offset a store's local data reflects, or null when it has no usable local state
   * (in-memory, never checkpointed, or unreadable: the store is then wiped).
   */
  localOffset(entry: TaskStore): number | null {
    const store = entry.store;
    if (!store.persistent || entry.changelogTopic === null) return null;
    let offset: number | null;
    try {
      offset = store.restoredOffset !== undefined ? store.restoredOffset() : (this.fileOffsets?.get(checkpointKey(entry.changelogTopic, entry.partition)) ?? null);
    } catch {
      offset = null;
    }
    if (offset === null) this.wipe(entry);
    return offset;
  }

  /** Drops a store's local data (before a restore from the start of its changelog). */
  wipe(entry: TaskStore): void {
    entry.store.wipe?.();
    entry.offset = -1;
  }

  /** Stores that have a changelog to restore from. */
  loggedStores(): TaskStore[] {
    return this.stores().filter((s) => s.changelogTopic !== null);
  }

  /** Commit step 1. */
  flush(): void {
    for (const s of this.byName.values()) s.store.flush();
  }

  /**
   * Commit step 2 (after the producer flush): takes the changelog offsets the collector saw acknowledged.
   * @returns `<topic>-<partition>@<offset>` per logged store
   */
  noteAcknowledged(): string[] {
    const out: string[] = [];
    for (const s of this.byName.values()) {
      if (s.changelogTopic === null) continue;
      const acked = this.options.collector.lastOffset(s.changelogTopic, s.partition);
      if (acked > s.offset) s.offset = acked;
      out.push(`${s.changelogTopic}-${s.partition}@${s.offset}`);
    }
    return out;
  }

  /**
   * Commit step 4: takes the changelog offsets acknowledged in step 2, checkpoints every persistent store
   * that keeps its own checkpoint (data + offset in one transaction), and writes the checkpoint file with
   * the offsets of every logged store (unless `writeFile` is false: the test driver's commits).
   * @returns the checkpoint file written, or null
   */
  checkpoint(writeFile = true): string | null {
    const collector = this.options.collector;
    const offsets = new Map<string, number>();
    const checkpointed = new Map<string, number>();
    for (const s of this.byName.values()) {
      if (s.changelogTopic !== null) {
        const acked = collector.lastOffset(s.changelogTopic, s.partition);
        if (acked > s.offset) s.offset = acked;
        offsets.set(checkpointKey(s.changelogTopic, s.partition), s.offset);
        checkpointed.set(s.name, s.offset);
      }
      if (s.store.persistent && s.store.checkpoint !== undefined && s.store.isOpen()) s.store.checkpoint(s.offset);
    }
    this.checkpointed = checkpointed;
    return writeFile ? writeCheckpoint(this.options.taskDir, offsets) : null;
  }

  /**
   * Whether a commit should checkpoint (Kafka Streams' `StateManagerUtil.checkpointNeeded` under
   * at-least-once): the first commit since the stores were built always does; later ones only when the
   * logged stores' changelog offsets (acknowledged ones included) moved more than
   * {@link OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT} records past the last checkpoint in total. Skipping is
   * safe: the changelog holds every change, and a restart restores the tail past the older checkpoint.
   */
  checkpointNeeded(): boolean {
    const last = this.checkpointed;
    if (last === null) return true;
    const collector = this.options.collector;
    let delta = 0;
    for (const s of this.byName.values()) {
      if (s.changelogTopic === null) continue;
      const offset = Math.max(s.offset, collector.lastOffset(s.changelogTopic, s.partition));
      delta += offset - (last.get(s.name) ?? -1);
    }
    return delta > OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT;
  }

  /**
   * Exactly-once: deletes the task's checkpoint file as processing starts (uncommitted writes may reach the
   * stores from now on; only a clean suspend or close writes the file again).
   */
  deleteCheckpointFile(): void {
    deleteCheckpoint(this.options.taskDir);
  }

  /** The changelog offsets the stores reflect, by `<topic> <partition>`. */
  changelogOffsets(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.byName.values()) if (s.changelogTopic !== null) out.set(checkpointKey(s.changelogTopic, s.partition), s.offset);
    return out;
  }

  /**
   * Closes every open store.
   * @returns the first failure, or null
   */
  close(): unknown {
    let failure: unknown = null;
    for (const s of this.byName.values()) {
      try {
        if (s.store.isOpen()) s.store.close();
      } catch (error) {
        failure ??= error;
      }
    }
    return failure;
  }

  private contextFor(entry: TaskStore): StateStoreContext & { readonly cache?: unknown } {
    const o = this.options;
    const topic = entry.changelogTopic;
    const partition = entry.partition;
    const taskId = this.taskId;
    const collector = o.collector;
    const context: StateStoreContext & { cache?: unknown } = {
      applicationId: o.applicationId,
      taskId,
      stateDir: o.taskDir,
      changelogTopic: topic,
      changelogPartition: partition,
      register: (store, restore) => {
        const target = this.byName.get(store.name) ?? entry;
        target.restore = restore;
      },
      logChange: (_storeName, key, value, timestamp) => {
        if (topic !== null) collector.send(topic, key, value, NO_HEADERS, timestamp, partition);
      },
      currentSystemTimeMs: () => o.clock.now(),
    };
    if (o.cache !== undefined) context.cache = o.cache;
    return context;
  }
}

function safeReadCheckpoint(taskDir: string): Map<string, number> | null {
  try {
    return readCheckpoint(taskDir);
  } catch {
    return null; // a corrupt checkpoint file: no usable offsets, stores without their own checkpoint restore fully
  }
}
