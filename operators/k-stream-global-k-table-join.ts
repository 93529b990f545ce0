/**
 * The stream-global-table join (Kafka Streams' `KStreamGlobalKTableJoin`): each stream record is joined
 * with the global table's row whose key `keySelector(key, value)` names, read from the table's
 * timestamped store; the result keeps the stream record's key, timestamp and headers. No
 * co-partitioning is needed: every task sees the whole global table. Global table updates alone emit
 * nothing.
 *
 * Null handling, as in Kafka Streams 3.7+ (KIP-962): a stream record with a null value is dropped and
 * counted; its key may be null (only the selector reads it). A null
 * table key (from the selector) matches no row, so `join` drops the record and `leftJoin` emits
 * `joiner(value, null, key)`; with no row for the table key, likewise.
 *
 * The DSL adds it with `KStream.join(globalTable, keySelector, joiner)` / `leftJoin(...)`, reading the
 * global store by name (no connection); under the Processor API it also runs over a connected store.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import type { DroppedRecords } from './dropped-records.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';
import type { ValueJoiner } from './value-joiner.ts';

/**
 * The stream-global-table join processor.
 *
 * @example
 * topology.addProcessor('enrich', kStreamGlobalKTableJoin('users', (_k, view: View) => view.userId, (view, user) => ({ view, user }), true, new DroppedRecords()), 'views');
 */
export class KStreamGlobalKTableJoin<K, V, GK, GV, VR> implements Processor<K, V, K, VR> {
  private context!: ProcessorContext<K, VR>;
  private store!: TimestampedKeyValueStoreView<GK, GV>;

  constructor(
    private readonly storeName: string,
    private readonly keySelector: (key: K, value: V) => GK | null | undefined,
    private readonly joiner: ValueJoiner<K, V, GV | null, VR>,
    private readonly leftJoin: boolean,
    private readonly dropped: DroppedRecords,
  ) {}

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
    this.store = context.getStateStore<TimestampedKeyValueStoreView<GK, GV>>(this.storeName);
  }

  process(record: Record<K, V>): void {
    const value = record.value;
    if (value === null || value === undefined) {
      this.dropped.nullKeyOrValue++;
      return;
    }
    const tableKey = this.keySelector(record.key, value);
    const row = tableKey === null || tableKey === undefined ? undefined : this.store.get(tableKey);
    if (row === undefined || row === null) {
      if (this.leftJoin) this.context.forward(new Record(record.key, this.joiner(value, null, record.key), record.timestamp, record.headers));
      else if (tableKey === null || tableKey === undefined) this.dropped.nullKeyOrValue++;
      return;
    }
    this.context.forward(new Record(record.key, this.joiner(value, row.value, record.key), record.timestamp, record.headers));
  }
}

/** A supplier of {@link KStreamGlobalKTableJoin}. */
export function kStreamGlobalKTableJoin<K, V, GK, GV, VR>(
  storeName: string,
  keySelector: (key: K, value: V) => GK | null | undefined,
  joiner: ValueJoiner<K, V, GV | null, VR>,
  leftJoin: boolean,
  dropped: DroppedRecords,
): () => KStreamGlobalKTableJoin<K, V, GK, GV, VR> {
  return () => new KStreamGlobalKTableJoin(storeName, keySelector, joiner, leftJoin, dropped);
}
