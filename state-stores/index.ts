// The public surface of the state stores: contracts, builders, layers and inner stores.

// Contracts
export type { KeyValueBytesStore, KeyValueBytesEntry } from './key-value-bytes-store.ts';
export type {
  KeyValue,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  TimestampedKeyValueStore,
  ReadOnlyTimestampedKeyValueStore,
  CacheFlushListener,
} from './key-value-store.ts';
export { valueAndTimestamp, valueAndTimestampSerde } from './value-and-timestamp.ts';
export type { ValueAndTimestamp } from './value-and-timestamp.ts';

// Builders
export { Stores } from './stores.ts';
export {
  KeyValueStoreBuilder,
  keyValueStoreBuilder,
  timestampedKeyValueStoreBuilder,
  withCaching,
  withChangeLogging,
  innerKeyValueStore,
} from './key-value-store-builder.ts';
export type { StoreKind, LoggingOption, StoreBuilderOptions, KeyValueStoreBuilderOptions } from './key-value-store-builder.ts';

// Cache
export { StoreCache, NamedCache, CacheEntry, DEFAULT_CACHE_MAX_BYTES } from './store-cache.ts';
export type { StoreCacheStats, NamedCacheFlushCallback } from './store-cache.ts';

// Layers
export { MeteredKeyValueStore } from './layers/metered-key-value-store.ts';
export type { MeteredStoreOptions } from './layers/metered-key-value-store.ts';
export { MeteredTimestampedKeyValueStore } from './layers/metered-timestamped-key-value-store.ts';
export { CachingKeyValueStore } from './layers/caching-key-value-store.ts';
export type { BytesFlushListener, CachedBytesStore } from './layers/caching-key-value-store.ts';
export { ChangeLoggingKeyValueBytesStore } from './layers/change-logging-key-value-bytes-store.ts';
export { ChangeLoggingTimestampedKeyValueBytesStore } from './layers/change-logging-timestamped-key-value-bytes-store.ts';
export { WrappedKeyValueBytesStore } from './layers/wrapped-key-value-bytes-store.ts';

// Inner stores
export { LmdbKeyValueBytesStore } from './lmdb/lmdb-key-value-bytes-store.ts';
export type { LmdbKeyValueBytesStoreOptions } from './lmdb/lmdb-key-value-bytes-store.ts';
export { InMemoryKeyValueBytesStore } from './memory/in-memory-key-value-bytes-store.ts';
export { SortedBytesMap } from './sorted-bytes-map.ts';

// Metrics
export { StoreMetrics } from './store-metrics.ts';
export type { StoreMetricsSnapshot, StoreOperation, StoreOperationMetrics } from './store-metrics.ts';
