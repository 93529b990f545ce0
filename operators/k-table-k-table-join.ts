/**
 * `KTable.join` (inner), one side of it (Kafka Streams' `KTableKTableInnerJoin`): an update of this
 * side's row is joined with the other side's current row, read from the other table's store. With no
 * row on the other side nothing is forwarded; a deleted row whose previous result existed forwards a
 * tombstone. The result timestamp is the larger of the two rows' timestamps. Both sides of an inner
 * join use this processor; the other side gets the joiner with its arguments swapped.
 *
 * Null keys: skipped (tables have none). Null values: a row that is absent on either side gives no
 * result.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The inner table-table join processor of one side.
 *
 * @example
 * topology.addProcessor('join-left', kTableKTableJoin('right-store', (l: string, r: string) => l + r), 'left-table');
 */
export class KTableKTableJoin<K, V1, V2, VR> implements Processor<K, Change<V1>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private other!: TimestampedKeyValueStoreView<K, V2>;

  constructor(
    private readonly otherStoreName: string,
    private readonly joiner: (value: V1, other: V2) => VR,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.other = context.getStateStore<TimestampedKeyValueStoreView<K, V2>>(this.otherStoreName);
  }

  process(record: Record<K, Change<V1>>): void {
    if (record.key === null || record.key === undefined) return;
    const other = this.other.get(record.key);
    if (other === undefined) return;
    const change = record.value;
    const newResult = change.newValue === null ? null : this.joiner(change.newValue, other.value);
    const oldResult = change.oldValue === null ? null : this.joiner(change.oldValue, other.value);
    if (newResult === null && oldResult === null) return;
    const timestamp = other.timestamp > record.timestamp ? other.timestamp : record.timestamp;
    this.context.forward(record.withValue(new Change(newResult, oldResult)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KTableKTableJoin}. */
export function kTableKTableJoin<K, V1, V2, VR>(otherStoreName: string, joiner: (value: V1, other: V2) => VR): () => KTableKTableJoin<K, V1, V2, VR> {
  return () => new KTableKTableJoin(otherStoreName, joiner);
}
