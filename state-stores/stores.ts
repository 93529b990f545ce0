/**
 * `Stores`: the store builders by name, as Kafka Streams' `Stores` class offers them. Options are
 * plain objects; every builder composes metered -> caching -> change-logging -> inner.
 */
import { keyValueStoreBuilder, timestampedKeyValueStoreBuilder } from './key-value-store-builder.ts';
import { sessionStoreBuilder, timestampedWindowStoreBuilder, windowStoreBuilder } from './window-store-builder.ts';

/**
 * Store builders.
 *
 * @example
 * const counts = Stores.keyValueStoreBuilder({ name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.int64(), kind: 'memory' });
 * const windows = Stores.windowStoreBuilder({ name: 'w', keySerde: Serdes.string(), valueSerde: Serdes.int64(), windowSizeMs: 60_000, retentionMs: 120_000 });
 */
export const Stores = {
  keyValueStoreBuilder,
  timestampedKeyValueStoreBuilder,
  windowStoreBuilder,
  timestampedWindowStoreBuilder,
  sessionStoreBuilder,
};
