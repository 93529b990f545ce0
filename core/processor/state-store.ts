/**
 * State store contracts. Stores belong to one task; the runtime initializes, flushes (on commit) and
 * closes them. Implementations arrive with the state-stores milestone; the contracts live here so the
 * Processor API and the runtime can name them.
 */
import type { TaskId } from './processor-context.ts';

/** What a store is told when its task initializes it. */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** The task's state directory (`<stateDir>/<applicationId>/<taskId>`), for persistent stores. */
  readonly stateDir: string;
  /** Name of the changelog topic when logging is enabled, else null. */
  readonly changelogTopic: string | null;
  /**
   * Registers the store for restoration: the runtime replays its changelog through `restore` (batches
   * of key/value bytes; value null = delete) before processing starts.
   */
  register(store: StateStore, restore: (records: readonly { key: Buffer; value: Buffer | null }[]) => void): void;
}

/** A state store. */
export interface StateStore {
  readonly name: string;
  /** Whether it keeps its data on disk across restarts (LMDB) or only in memory. */
  readonly persistent: boolean;
  init(context: StateStoreContext, root: StateStore): void;
  /** Makes everything written so far durable in the store (called on commit). */
  flush(): void;
  close(): void;
  isOpen(): boolean;
}

/** Builds a store for each task; carries the changelog settings. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  /** Topic configs of the changelog, Kafka names. */
  readonly logConfig: Readonly<Record<string, string>>;
  build(): S;
}
