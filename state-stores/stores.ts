/**
 * `Stores`: the store builders by name, as Kafka Streams' `Stores` class offers them. Options are
 * plain objects; every builder composes metered -> caching -> change-logging -> inner.
 */
import { keyValueStoreBuilder, timestampedKeyValueStoreBuilder } from './key-value-store-builder.ts';

/**
 * Store builders.
 *
 * @example
 * const counts = Stores.keyValueStoreBuilder({ name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.int64(), kind: 'memory' });
 */
export const Stores = {
  keyValueStoreBuilder,
  timestampedKeyValueStoreBuilder,
};
