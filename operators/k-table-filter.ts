/**
 * `KTable.filter` / `filterNot`: a row is in the result while the predicate accepts it (rejects it, for
 * filterNot). A row that stops matching becomes a tombstone downstream; an update that neither was nor
 * is in the result is not forwarded. With a store name the result is materialized too.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The table filter processor.
 *
 * @example
 * topology.addProcessor('big', kTableFilter((_k, v: number) => v > 10, false, null), 'table');
 */
export class KTableFilter<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private store: TimestampedKeyValueStoreView<K, V> | null = null;
  private forwarder!: KTableForwarder<K, V>;

  constructor(
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly filterNot: boolean,
    private readonly storeName: string | null,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    if (this.storeName !== null) this.store = context.getStateStore<TimestampedKeyValueStoreView<K, V>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, Change<V>>): void {
    const newValue = this.apply(record.key, record.value.newValue);
    const oldValue = this.apply(record.key, record.value.oldValue);
    if (newValue === null && oldValue === null) return;
    if (this.store !== null) this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(newValue, oldValue)));
  }

  private apply(key: K, value: V | null): V | null {
    if (value === null) return null;
    return this.predicate(key, value) !== this.filterNot ? value : null;
  }
}

/** A supplier of {@link KTableFilter}. */
export function kTableFilter<K, V>(predicate: (key: K, value: V) => boolean, filterNot: boolean, storeName: string | null): () => KTableFilter<K, V> {
  return () => new KTableFilter(predicate, filterNot, storeName);
}
