/**
 * `KGroupedStream.reduce`: combines each record's value with the current value of its key (the first
 * value of a key is taken as it is), held in a timestamped key-value store; forwards
 * `Change(newValue, oldValue)`. Records with a null key or value are dropped and counted.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { DroppedRecords } from './dropped-records.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/** Combines two values of one key into one. */
export type Reducer<V> = (aggregate: V, value: V) => V;

/**
 * The reduce processor.
 *
 * @example
 * topology.addProcessor('sum', kStreamReduce('sums', (a, b) => a + b, new DroppedRecords()), 'src');
 */
export class KStreamReduce<K, V> implements Processor<K, V, K, Change<V>> {
  private store!: TimestampedKeyValueStoreView<K, V>;
  private forwarder!: KTableForwarder<K, V>;

  constructor(
    private readonly storeName: string,
    private readonly reducer: Reducer<V>,
    private readonly dropped: DroppedRecords,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStoreView<K, V>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.dropped.nullKeyOrValue++;
      return;
    }
    const old = this.store.get(record.key);
    const oldValue = old === undefined ? null : old.value;
    const newValue = oldValue === null ? record.value : this.reducer(oldValue, record.value);
    const timestamp = old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
    this.store.put(record.key, { value: newValue, timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(newValue, oldValue)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KStreamReduce}. */
export function kStreamReduce<K, V>(storeName: string, reducer: Reducer<V>, dropped: DroppedRecords): () => KStreamReduce<K, V> {
  return () => new KStreamReduce(storeName, reducer, dropped);
}
