/**
 * The stream-table join (Kafka Streams' `KStreamKTableJoin`): each stream record is joined with the
 * table's current value for its key, read from the table's timestamped store; the result keeps the
 * stream record's key, timestamp and headers. Table updates alone emit nothing (the table is only read).
 *
 * Null handling, as in Kafka Streams 3.7+ (KIP-962): a stream record with a null value is dropped and
 * counted (a null value is no record); one with a null key (and a value) is dropped and counted by
 * `join` and emitted by `leftJoin` as `joiner(value, null, null)` without a lookup. With no table row for
 * the key, `join` emits nothing and `leftJoin` emits `joiner(value, null, key)`.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import type { DroppedRecords } from './dropped-records.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';
import type { ValueJoiner } from './value-joiner.ts';

/**
 * The stream-table join processor.
 *
 * @example
 * topology.addProcessor('enrich', kStreamKTableJoin('users-store', (view, user) => ({ view, user }), false, new DroppedRecords()), 'page-views');
 */
export class KStreamKTableJoin<K, V, VT, VR> implements Processor<K, V, K, VR> {
  private context!: ProcessorContext<K, VR>;
  private store!: TimestampedKeyValueStoreView<K, VT>;

  constructor(
    private readonly storeName: string,
    private readonly joiner: ValueJoiner<K, V, VT | null, VR>,
    private readonly leftJoin: boolean,
    private readonly dropped: DroppedRecords,
  ) {}

  init(context: ProcessorContext<K, VR>): void {
    this.context = context;
    this.store = context.getStateStore<TimestampedKeyValueStoreView<K, VT>>(this.storeName);
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    const value = record.value;
    if (value === null || value === undefined) {
      this.dropped.nullKeyOrValue++;
      return;
    }
    if (key === null || key === undefined) {
      // KIP-962 (Kafka 3.7+): a null key looks nothing up; `leftJoin` emits it joined with null.
      if (this.leftJoin) this.context.forward(new Record(key, this.joiner(value, null, key), record.timestamp, record.headers));
      else this.dropped.nullKeyOrValue++;
      return;
    }
    const row = this.store.get(key);
    if (row === undefined || row === null) {
      if (this.leftJoin) this.context.forward(new Record(key, this.joiner(value, null, key), record.timestamp, record.headers));
      return;
    }
    this.context.forward(new Record(key, this.joiner(value, row.value, key), record.timestamp, record.headers));
  }
}

/** A supplier of {@link KStreamKTableJoin}. */
export function kStreamKTableJoin<K, V, VT, VR>(
  storeName: string,
  joiner: ValueJoiner<K, V, VT | null, VR>,
  leftJoin: boolean,
  dropped: DroppedRecords,
): () => KStreamKTableJoin<K, V, VT, VR> {
  return () => new KStreamKTableJoin(storeName, joiner, leftJoin, dropped);
}
