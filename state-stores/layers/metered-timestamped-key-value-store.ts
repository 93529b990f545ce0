/**
 * The metered layer of timestamped key-value stores: values are `ValueAndTimestamp<V>`, stored as
 * `[timestamp 8][value]`; the timestamp of each value goes down with the write (to the cache and the
 * changelog record).
 */
import type { Serde } from '../../core/serde/serde.ts';
import type { KeyValueBytesStore } from '../key-value-bytes-store.ts';
import { valueAndTimestampSerde, type ValueAndTimestamp } from '../value-and-timestamp.ts';
import { MeteredKeyValueStore } from './metered-key-value-store.ts';

/** Options of a metered timestamped store: the serde of the plain value. */
export interface MeteredTimestampedStoreOptions<K, V> {
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly recordLatency?: boolean;
}

export class MeteredTimestampedKeyValueStore<K, V> extends MeteredKeyValueStore<K, ValueAndTimestamp<V>> {
  constructor(inner: KeyValueBytesStore, options: MeteredTimestampedStoreOptions<K, V>) {
    super(inner, {
      keySerde: options.keySerde,
      valueSerde: valueAndTimestampSerde(options.valueSerde),
      recordLatency: options.recordLatency ?? false,
    });
  }

  protected override timestampOf(value: ValueAndTimestamp<V> | null): number | undefined {
    return value === null || value === undefined ? undefined : value.timestamp;
  }
}
