/**
 * What every metered store (key-value, window, session) shares: the serdes and changelog topic the typed
 * methods use, the open flag, the operation metrics, and the lifecycle calls it passes down to the bytes
 * layers below (flush is timed; checkpoint, restore offset and wipe go to the inner store as they are).
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { Serde } from '../../core/serde/serde.ts';
import { StoreMetrics, type StoreMetricsSnapshot } from '../store-metrics.ts';

/** Options of a metered store. */
export interface MeteredStoreOptions<K, V> {
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** Time every operation (Kafka's DEBUG-level store metrics). Default false: counts only. */
  readonly recordLatency?: boolean;
}

/**
 * The base of the metered layers. Subclasses add the typed operations of their kind of store.
 *
 * @example
 * class MeteredKeyValueStore<K, V> extends MeteredStore<K, V, KeyValueBytesStore> { ... }
 */
export abstract class MeteredStore<K, V, Inner extends StateStore> {
  protected readonly keySerde: Serde<K>;
  protected readonly valueSerde: Serde<V>;
  /** The changelog topic (or what it would be called), passed to the serdes. */
  protected topic = '';
  protected opened = false;
  readonly metrics: StoreMetrics;

  constructor(
    readonly inner: Inner,
    options: MeteredStoreOptions<K, V>,
  ) {
    this.keySerde = options.keySerde;
    this.valueSerde = options.valueSerde;
    this.metrics = new StoreMetrics(inner.name, options.recordLatency ?? false);
  }

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext, root: StateStore): void {
    this.topic = context.changelogTopic ?? `${context.applicationId}-${this.name}-changelog`;
    this.inner.init(context, root);
    this.opened = true;
  }

  flush(): void {
    const m = this.metrics;
    const t0 = m.start();
    this.inner.flush();
    m.end(m.flush, t0);
  }

  checkpoint(changelogOffset: number): void {
    this.inner.checkpoint?.(changelogOffset);
  }

  restoredOffset(): number | null {
    return this.inner.restoredOffset?.() ?? null;
  }

  wipe(): void {
    this.inner.wipe?.();
  }

  close(): void {
    this.opened = false;
    this.inner.close();
  }

  isOpen(): boolean {
    return this.opened && this.inner.isOpen();
  }

  /** A snapshot of the store's operation metrics. */
  metricsSnapshot(): StoreMetricsSnapshot {
    return this.metrics.snapshot();
  }
}
