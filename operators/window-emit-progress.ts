/**
 * How far an `onWindowClose` window aggregation has emitted: the close time (stream time - grace) up to
 * which every closed window was forwarded. Kept in memory per task and persisted in a small key-value
 * store the processor owns (`<window store>-emit-time`, changelogged and cached like the window store),
 * so a restarted or moved task does not emit windows still in its window store a second time (Kafka
 * Streams keeps the same time per task, `lastEmitWindowCloseTime`).
 *
 * It is written when windows were emitted and on each close-check punctuation (every second of stream
 * time), not for every record: the cache makes a write cheap, but a write per record would still cost.
 * After a restart the scan starts from the persisted time; windows between it and the last in-memory
 * time were not emitted because there were none (a record for a closed window is late, never stored).
 */
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { KeyValueStore } from '../state-stores/key-value-store.ts';

/** The name of the emit-time store of the window store `windowStore`. */
export function emitTimeStoreName(windowStore: string): string {
  return `${windowStore}-emit-time`;
}

/**
 * The persisted emit progress of one processor instance (one task).
 *
 * @example
 * const progress = new WindowEmitProgress('counts-emit-time', 'counts');
 * let last = progress.load(context); // -1 when nothing was emitted yet
 * progress.save(closeTime);
 */
export class WindowEmitProgress {
  private store: KeyValueStore<string, number> | null = null;

  /**
   * @param storeName the emit-time store, or undefined to keep the progress in memory only
   * @param key the entry's key (the window store's name)
   */
  constructor(
    private readonly storeName: string | undefined,
    private readonly key: string,
  ) {}

  /** Opens the store and returns the persisted close time, or -1. */
  load(context: ProcessorContext<unknown, unknown>): number {
    if (this.storeName === undefined) return -1;
    this.store = context.getStateStore<KeyValueStore<string, number>>(this.storeName);
    const saved = this.store.get(this.key);
    return saved === undefined || saved === null ? -1 : saved;
  }

  /** Persists the close time up to which windows were emitted. */
  save(closeTime: number): void {
    if (this.store !== null) this.store.put(this.key, closeTime);
  }
}
