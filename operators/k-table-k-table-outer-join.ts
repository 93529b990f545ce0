/**
 * `KTable.outerJoin`, one side of it (Kafka Streams' `KTableKTableOuterJoin`): a key has a result while
 * either side has a row, `joiner(left | null, right | null)`; when the last of the two rows is deleted
 * the result becomes a tombstone. The result timestamp is the larger of the two rows' timestamps. Both
 * sides use this processor; the right side gets the joiner with its arguments swapped.
 *
 * Null keys: skipped. Null values: an absent row is passed to the joiner as null.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The table-table outer join processor of one side.
 *
 * @example
 * topology.addProcessor('join-left', kTableKTableOuterJoin('right-store', (l: string | null, r: string | null) => `${l}-${r}`), 'left-table');
 */
export class KTableKTableOuterJoin<K, V1, V2, VR> implements Processor<K, Change<V1>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private other!: TimestampedKeyValueStoreView<K, V2>;

  constructor(
    private readonly otherStoreName: string,
    private readonly joiner: (value: V1 | null, other: V2 | null) => VR,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.other = context.getStateStore<TimestampedKeyValueStoreView<K, V2>>(this.otherStoreName);
  }

  process(record: Record<K, Change<V1>>): void {
    if (record.key === null || record.key === undefined) return;
    const change = record.value;
    const other = this.other.get(record.key);
    const otherValue = other === undefined ? null : other.value;
    const newResult = otherValue === null && change.newValue === null ? null : this.joiner(change.newValue, otherValue);
    const oldResult = otherValue === null && change.oldValue === null ? null : this.joiner(change.oldValue, otherValue);
    if (newResult === null && oldResult === null) return;
    const timestamp = other !== undefined && other.timestamp > record.timestamp ? other.timestamp : record.timestamp;
    this.context.forward(record.withValue(new Change(newResult, oldResult)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KTableKTableOuterJoin}. */
export function kTableKTableOuterJoin<K, V1, V2, VR>(
  otherStoreName: string,
  joiner: (value: V1 | null, other: V2 | null) => VR,
): () => KTableKTableOuterJoin<K, V1, V2, VR> {
  return () => new KTableKTableOuterJoin(otherStoreName, joiner);
}
