/**
 * `StreamsBuilder.table`: turns a topic's records into table updates. Each record upserts its key in
 * the table's timestamped key-value store; a record with a null value (a tombstone) deletes the key.
 * Forwards `Change(newValue, oldValue)` (directly, or when the store's cache flushes). Records with a
 * null key are dropped and counted.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { DroppedRecords } from './dropped-records.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The table source processor.
 *
 * @example
 * topology.addProcessor('users-table', kTableSource('users-store', new DroppedRecords()), 'users');
 */
export class KTableSource<K, V> implements Processor<K, V | null, K, Change<V>> {
  private store!: TimestampedKeyValueStoreView<K, V>;
  private forwarder!: KTableForwarder<K, V>;

  constructor(
    private readonly storeName: string,
    private readonly dropped: DroppedRecords,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.store = context.getStateStore<TimestampedKeyValueStoreView<K, V>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, V | null>): void {
    if (record.key === null || record.key === undefined) {
      this.dropped.nullKeyOrValue++;
      return;
    }
    const old = this.store.get(record.key);
    const oldValue = old === undefined ? null : old.value;
    const newValue = record.value === undefined ? null : record.value;
    if (newValue === null && oldValue === null) return; // deleting a key the table does not have
    this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(newValue, oldValue)));
  }
}

/** A supplier of {@link KTableSource}. */
export function kTableSource<K, V>(storeName: string, dropped: DroppedRecords): () => KTableSource<K, V> {
  return () => new KTableSource(storeName, dropped);
}
