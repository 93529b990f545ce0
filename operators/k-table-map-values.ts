/**
 * `KTable.mapValues`: a new value per row (the mapper also gets the read-only key); tombstones stay
 * tombstones. Old values are mapped too, so downstream subtractors see what they added before. With a
 * store name the result is materialized.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The table mapValues processor.
 *
 * @example
 * topology.addProcessor('names', kTableMapValues((u: User) => u.name, null), 'users-table');
 */
export class KTableMapValues<K, V, V2> implements Processor<K, Change<V>, K, Change<V2>> {
  private store: TimestampedKeyValueStoreView<K, V2> | null = null;
  private forwarder!: KTableForwarder<K, V2>;

  constructor(
    private readonly mapper: (value: V, key: K) => V2,
    private readonly storeName: string | null,
  ) {}

  init(context: ProcessorContext<K, Change<V2>>): void {
    if (this.storeName !== null) this.store = context.getStateStore<TimestampedKeyValueStoreView<K, V2>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, Change<V>>): void {
    const change = record.value;
    const newValue = change.newValue === null ? null : this.mapper(change.newValue, record.key);
    const oldValue = change.oldValue === null ? null : this.mapper(change.oldValue, record.key);
    if (this.store !== null) this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(newValue, oldValue)));
  }
}

/** A supplier of {@link KTableMapValues}. */
export function kTableMapValues<K, V, V2>(mapper: (value: V, key: K) => V2, storeName: string | null): () => KTableMapValues<K, V, V2> {
  return () => new KTableMapValues(mapper, storeName);
}
