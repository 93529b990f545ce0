/**
 * `KGroupedTable.reduce`: a value per group that follows the table's updates: the subtractor removes a
 * row's old value, the adder combines its new value (the first value of a group is taken as it is).
 * A group whose value becomes null is deleted. Forwards `Change(newValue, oldValue)`.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { Reducer } from './k-stream-reduce.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The table reduce processor (Kafka's `KTableReduce`).
 *
 * @example
 * kTableReduce('totals', (a, b) => a + b, (a, b) => a - b);
 */
export class KTableReduce<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private store!: TimestampedKeyValueStoreView<K, V>;
  private forwarder!: KTableForwarder<K, V>;

  constructor(
    private readonly storeName: string,
    private readonly adder: Reducer<V>,
    private readonly subtractor: Reducer<V>,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStoreView<K, V>>(this.storeName);
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
      agg = this.subtractor(oldAgg, change.oldValue);
      if (old!.timestamp > timestamp) timestamp = old!.timestamp;
    }
    if (change.newValue !== null) {
      agg = agg === null ? change.newValue : this.adder(agg, change.newValue);
      if (old !== undefined && old.timestamp > timestamp) timestamp = old.timestamp;
    }
    if (agg === null && oldAgg === null) return;
    this.store.put(record.key, agg === null ? null : { value: agg, timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(agg, oldAgg)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KTableReduce}. */
export function kTableReduce<K, V>(storeName: string, adder: Reducer<V>, subtractor: Reducer<V>): () => KTableReduce<K, V> {
  return () => new KTableReduce(storeName, adder, subtractor);
}
