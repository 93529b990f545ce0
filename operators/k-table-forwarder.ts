/**
 * How table processors forward their updates (Kafka Streams' `TimestampedTupleForwarder` and
 * `TimestampedCacheFlushListener`): when the processor's store caches writes, updates are forwarded by
 * the cache when it flushes (on commit, or when it evicts the entry), so downstream sees one update
 * per key per commit interval; without a cache, every update is forwarded at once.
 *
 * The cache flushes outside the processor's `process` call (during the commit), so the listener makes
 * the processor the context's current node while it forwards, as Kafka's listener does with
 * `setCurrentNode`.
 */
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import type { StateStore } from '../core/processor/state-store.ts';
import { Change } from './change.ts';
import type { FlushListenable, ValueAndTimestamp } from './store-views.ts';

/** The runtime context's current-node slot (structural: contexts without it just forward). */
interface NodeSlot {
  currentNode: unknown;
}

function isFlushListenable(store: unknown): store is FlushListenable<unknown, unknown> {
  return typeof (store as Partial<FlushListenable<unknown, unknown>> | null)?.setFlushListener === 'function';
}

/**
 * Forwards a table processor's `Change`s, directly or through its store's cache.
 *
 * @example
 * this.forwarder = new KTableForwarder(store, context, true);
 * this.forwarder.maybeForward(record.withValue(new Change(newAgg, oldAgg)));
 */
export class KTableForwarder<K, V> {
  /** Whether the store caches: updates then reach downstream only when the cache flushes. */
  readonly cachingEnabled: boolean;
  private readonly node: unknown;

  /**
   * @param store the processor's store, or null when it has none
   * @param timestamped whether the store's values are {@link ValueAndTimestamp}s (unwrapped on flush)
   */
  constructor(
    store: StateStore | null,
    private readonly context: ProcessorContext<K, Change<V>>,
    timestamped: boolean,
  ) {
    this.node = (context as unknown as Partial<NodeSlot>).currentNode;
    this.cachingEnabled =
      store !== null &&
      isFlushListenable(store) &&
      store.setFlushListener(
        timestamped
          ? (key, newValue, oldValue) => {
              const n = newValue as ValueAndTimestamp<V> | null;
              const o = oldValue as ValueAndTimestamp<V> | null;
              this.forwardFlushed(key as K, n === null ? null : n.value, o === null ? null : o.value, n === null ? (o?.timestamp ?? 0) : n.timestamp);
            }
          : (key, newValue, oldValue, timestamp) => this.forwardFlushed(key as K, newValue as V | null, oldValue as V | null, timestamp),
        true,
      ) === true;
  }

  /** Forwards the update now unless the store's cache will forward it on flush. */
  maybeForward(record: Record<K, Change<V>>): void {
    if (!this.cachingEnabled) this.context.forward(record);
  }

  private forwardFlushed(key: K, newValue: V | null, oldValue: V | null, timestamp: number): void {
    const slot = this.context as unknown as NodeSlot;
    const hasSlot = this.node !== undefined && 'currentNode' in slot;
    const previous = hasSlot ? slot.currentNode : undefined;
    if (hasSlot) slot.currentNode = this.node;
    try {
      this.context.forward(new Record(key, new Change(newValue, oldValue), timestamp));
    } finally {
      if (hasSlot) slot.currentNode = previous;
    }
  }
}
