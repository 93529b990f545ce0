/**
 * `KGroupedTable.aggregate` / `count`: keeps an aggregate per group that follows the table's updates:
 * the subtractor removes a row's old value from its group, the adder adds its new value. The aggregate
 * lives in a timestamped key-value store; updates are forwarded as `Change(newAgg, oldAgg)`.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The table aggregate processor (Kafka's `KTableAggregate`).
 *
 * @example
 * kTableAggregate('sizes', () => 0, (_k, _v, n) => n + 1, (_k, _v, n) => n - 1);
 */
export class KTableAggregate<K, V, VA> implements Processor<K, Change<V>, K, Change<VA>> {
  private store!: TimestampedKeyValueStoreView<K, VA>;
  private forwarder!: KTableForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly initializer: Initializer<VA>,
    private readonly adder: Aggregator<K, V, VA>,
    private readonly subtractor: Aggregator<K, V, VA>,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStoreView<K, VA>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) return;
    const change = record.value;
    const old = this.store.get(record.key);
    const oldAgg = old === undefined ? null : old.value;
    let timestamp = record.timestamp;
    let agg = oldAgg;
    if (change.oldValue !== null && oldAgg !== null) {
      agg = this.subtractor(record.key, change.oldValue, oldAgg);
      if (old!.timestamp > timestamp) timestamp = old!.timestamp;
    }
    if (change.newValue !== null) {
      agg = this.adder(record.key, change.newValue, agg === null ? this.initializer() : agg);
      if (old !== undefined && old.timestamp > timestamp) timestamp = old.timestamp;
    }
    this.store.put(record.key, agg === null ? null : { value: agg, timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(agg, oldAgg)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KTableAggregate}. */
export function kTableAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  adder: Aggregator<K, V, VA>,
  subtractor: Aggregator<K, V, VA>,
): () => KTableAggregate<K, V, VA> {
  return () => new KTableAggregate(storeName, initializer, adder, subtractor);
}
