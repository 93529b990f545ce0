/**
 * `KTable.leftJoin`, the right side (Kafka Streams' `KTableKTableRightJoin`): an update of a right row
 * recomputes `joiner(left, right)` when the left row exists (with a null right value when the right
 * row was deleted: the left row keeps its result); without a left row there is no result to change.
 *
 * Null keys: skipped. Null values: a deleted right row is passed to the joiner as null.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';

/**
 * The right side of a table-table left join.
 *
 * @example
 * topology.addProcessor('join-right', kTableKTableRightJoin('left-store', (l: string, r: string | null) => `${l}-${r}`), 'right-table');
 */
export class KTableKTableRightJoin<K, V1, V2, VR> implements Processor<K, Change<V2>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private left!: TimestampedKeyValueStoreView<K, V1>;

  constructor(
    private readonly leftStoreName: string,
    private readonly joiner: (left: V1, right: V2 | null) => VR,
  ) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.left = context.getStateStore<TimestampedKeyValueStoreView<K, V1>>(this.leftStoreName);
  }

  process(record: Record<K, Change<V2>>): void {
    if (record.key === null || record.key === undefined) return;
    const left = this.left.get(record.key);
    if (left === undefined) return;
    const change = record.value;
    const newResult = this.joiner(left.value, change.newValue);
    const oldResult = this.joiner(left.value, change.oldValue);
    const timestamp = left.timestamp > record.timestamp ? left.timestamp : record.timestamp;
    this.context.forward(record.withValue(new Change(newResult, oldResult)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link KTableKTableRightJoin}. */
export function kTableKTableRightJoin<K, V1, V2, VR>(
  leftStoreName: string,
  joiner: (left: V1, right: V2 | null) => VR,
): () => KTableKTableRightJoin<K, V1, V2, VR> {
  return () => new KTableKTableRightJoin(leftStoreName, joiner);
}
