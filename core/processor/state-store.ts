/**
 * State store contracts. Stores belong to one task; the runtime initializes, flushes (on commit),
 * checkpoints and closes them. Implementations live in state-stores/; the contracts live here so the
 * Processor API and the runtime can name them.
 */
import type { TaskId } from './processor-context.ts';

/** One changelog record handed to a store's restore callback: key/value bytes, value null = delete. */
export interface RestoreRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/** Replays a batch of changelog records into a store's inner (bytes) layer. */
export type RestoreCallback = (records: readonly RestoreRecord[]) => void;

/** What a store is told when its task initializes it. */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** The task's state directory (`<stateDir>/<applicationId>/<taskId>`), for persistent stores. */
  readonly stateDir: string;
  /** Name of the changelog topic when logging is enabled, else null. */
  readonly changelogTopic: string | null;
  /** The changelog partition: the task's partition number. */
  readonly changelogPartition: number;
  /**
   * Registers the store for restoration: before processing starts, the runtime replays its changelog
   * from `store.restoredOffset() + 1` (or from the start when there is no local state) through `restore`.
   */
  register(store: StateStore, restore: RestoreCallback): void;
  /**
   * Sends one change to the store's changelog topic (partition = the task's partition). Called by the
   * change-logging layer for every write that reaches it; the runtime batches it with the task's output.
   */
  logChange(storeName: string, key: Buffer, value: Buffer | null, timestamp: number): void;
  /** Wall-clock time of the injected clock. */
  currentSystemTimeMs(): number;
}

/** A state store. */
export interface StateStore {
  readonly name: string;
  /** Whether it keeps its data on disk across restarts (LMDB) or only in memory. */
  readonly persistent: boolean;
  init(context: StateStoreContext, root: StateStore): void;
  /** Writes caches through to the inner store (and so to the changelog); called in commit step 1. */
  flush(): void;
  /**
   * Persistent stores: makes the data written so far and the changelog offset it reflects durable
   * together (for LMDB, one write transaction). Called after the producer flush, so `changelogOffset`
   * is the offset of the last changelog record this store's task wrote (-1 when it wrote none).
   */
  checkpoint?(changelogOffset: number): void;
  /** The changelog offset the local data reflects, read at init; null when there is no usable local state. */
  restoredOffset?(): number | null;
  /** Drops all local data (corrupt or foreign state before a full restore). */
  wipe?(): void;
  close(): void;
  isOpen(): boolean;
}

/** Builds a store for each task; carries the changelog settings. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  /** Topic configs of the changelog, Kafka names (window stores: compact,delete with their retention). */
  readonly logConfig: Readonly<Record<string, string>>;
  build(): S;
}
