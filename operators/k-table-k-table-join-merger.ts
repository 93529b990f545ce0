/**
 * The result node of a table-table join (Kafka Streams' `KTableKTableJoinMerger`): both sides' join
 * processors (or, for a foreign-key join, the response processor) forward into it, and it is the node
 * the result table's operators hang off. With a store (the join was given `Materialized` options) it
 * keeps the result per key, forwards `Change(new, previous)` from its store (directly, or when its
 * cache flushes), and drops updates that neither had nor have a result; without a store it forwards
 * what it receives.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The join result node.
 *
 * @example
 * topology.addProcessor('joined', kTableKTableJoinMerger('joined-store'), 'join-left', 'join-right');
 */
export class KTableKTableJoinMerger<K, VR> implements Processor<K, Change<VR>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private store: TimestampedKeyValueStoreView<K, VR> | null = null;
  private forwarder!: KTableForwarder<K, VR>;

  constructor(private readonly storeName: string | null) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    if (this.storeName !== null) this.store = context.getStateStore<TimestampedKeyValueStoreView<K, VR>>(this.storeName);
    this.forwarder = new KTableForwarder(this.store, context, true);
  }

  process(record: Record<K, Change<VR>>): void {
    if (this.store === null) {
      this.context.forward(record);
      return;
    }
    const previous = this.store.get(record.key);
    const oldValue = previous === undefined ? null : previous.value;
    const newValue = record.value.newValue;
    if (newValue === null && oldValue === null) return;
    this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    this.forwarder.maybeForward(record.withValue(new Change(newValue, oldValue)));
  }
}

/** A supplier of {@link KTableKTableJoinMerger}. */
export function kTableKTableJoinMerger<K, VR>(storeName: string | null): () => KTableKTableJoinMerger<K, VR> {
  return () => new KTableKTableJoinMerger(storeName);
}
