/**
 * `KGroupedStream.aggregate` / `count`: folds each record into the aggregate of its key, held in a
 * timestamped key-value store, and forwards the table update `Change(newAgg, oldAgg)` (directly, or when
 * the store's cache flushes). Records with a null key or value are dropped and counted.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { DroppedRecords } from './dropped-records.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/** Creates the initial aggregate of a key. */
export type Initializer<VA> = () => VA;
/** Folds one value into the aggregate of its key. */
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;

/**
 * The aggregate processor.
 *
 * @example
 * topology.addProcessor('agg', kStreamAggregate('counts', () => 0, (_k, _v, n) => n + 1, new DroppedRecords()), 'src');
 */
export class KStreamAggregate<K, V, VA> implements Processor<K, V, K, Change<VA>> {
  private store!: TimestampedKeyValueStoreView<K, VA>;
  private forwarder!: KTableForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    private readonly dropped: DroppedRecords,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStoreView<K, VA>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.dropped.nullKeyOrValue++;
      return;
    }
    const old = this.store.get(record.key);
    const oldAgg = old === undefined ? null : old.value;
    const newAgg = this.aggregator(record.key, record.value, oldAgg === null ? this.initializer() : oldAgg);
    const timestamp = old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
    this.store.put(record.key, { value: newAgg, timestamp });
    // With a caching store the cache forwards on flush: build the update only when it goes out now.
    if (!this.forwarder.cachingEnabled) this.forwarder.maybeForward(record.withValue(new Change(newAgg, oldAgg)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KStreamAggregate}. */
export function kStreamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
  dropped: DroppedRecords,
): () => KStreamAggregate<K, V, VA> {
  return () => new KStreamAggregate(storeName, initializer, aggregator, dropped);
}
