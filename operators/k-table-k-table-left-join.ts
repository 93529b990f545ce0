/**
 * `KTable.leftJoin`, the left side (Kafka Streams' `KTableKTableLeftJoin`): every left row has a
 * result, `joiner(left, right)` with the right side's current row or null. A deleted left row forwards
 * a tombstone. The result timestamp is the larger of the two rows' timestamps (the left one's when the
 * right row is absent). The right side of a left join is {@link KTableKTableRightJoin}.
 *
 * Null keys: skipped. Null values: an absent right row is passed to the joiner as null.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The left side of a table-table left join.
 *
 * @example
 * topology.addProcessor('join-left', kTableKTableLeftJoin('right-store', (l: string, r: string | null) => `${l}-${r}`), 'left-table');
 */
export class KTableKTableLeftJoin<K, V1, V2, VR> implements Processor<K, Change<V1>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private right!: TimestampedKeyValueStoreView<K, V2>;

  constructor(
    private readonly rightStoreName: string,
    private readonly joiner: (left: V1, right: V2 | null) => VR,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.right = context.getStateStore<TimestampedKeyValueStoreView<K, V2>>(this.rightStoreName);
  }

  process(record: Record<K, Change<V1>>): void {
    if (record.key === null || record.key === undefined) return;
    const change = record.value;
    const right = this.right.get(record.key);
    const rightValue = right === undefined ? null : right.value;
    const newResult = change.newValue === null ? null : this.joiner(change.newValue, rightValue);
    const oldResult = change.oldValue === null ? null : this.joiner(change.oldValue, rightValue);
    if (newResult === null && oldResult === null) return;
    const timestamp = right !== undefined && right.timestamp > record.timestamp ? right.timestamp : record.timestamp;
    this.context.forward(record.withValue(new Change(newResult, oldResult)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KTableKTableLeftJoin}. */
export function kTableKTableLeftJoin<K, V1, V2, VR>(
  rightStoreName: string,
  joiner: (left: V1, right: V2 | null) => VR,
): () => KTableKTableLeftJoin<K, V1, V2, VR> {
  return () => new KTableKTableLeftJoin(rightStoreName, joiner);
}
