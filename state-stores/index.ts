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
export type { WindowBytesStore, WindowBytesEntry } from './window-bytes-store.ts';
export type {
  WindowStore,
  ReadOnlyWindowStore,
  TimestampedWindowStore,
  WindowValue,
  WindowedKeyValue,
  WindowFlushListener,
} from './window-store.ts';
export type { SessionBytesStore, SessionBytesEntry } from './session-bytes-store.ts';
export type { SessionStore, ReadOnlySessionStore, SessionKeyValue, SessionFlushListener } from './session-store.ts';
export { windowed } from './windowed.ts';
export type { Windowed, Window } from './windowed.ts';

// Key schemas
export {
  toWindowStoreKey,
  windowStoreKeyKey,
  windowStoreKeyStart,
  windowStoreKeySeq,
  WINDOW_KEY_SUFFIX,
} from './window-key-schema.ts';
export { toSessionStoreKey, sessionStoreKeyKey, sessionStoreKeyStart, sessionStoreKeyEnd, SESSION_KEY_SUFFIX } from './session-key-schema.ts';

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
export {
  WindowStoreBuilder,
  SessionStoreBuilder,
  windowStoreBuilder,
  timestampedWindowStoreBuilder,
  sessionStoreBuilder,
  CHANGELOG_ADDITIONAL_RETENTION_MS,
} from './window-store-builder.ts';
export type { WindowStoreBuilderOptions, SessionStoreBuilderOptions } from './window-store-builder.ts';

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
export { MeteredWindowStore, MeteredTimestampedWindowStore } from './layers/metered-window-store.ts';
export { CachingWindowStore } from './layers/caching-window-store.ts';
export { ChangeLoggingWindowBytesStore } from './layers/change-logging-window-bytes-store.ts';
export { WrappedWindowBytesStore } from './layers/wrapped-window-bytes-store.ts';
export { MeteredSessionStore } from './layers/metered-session-store.ts';
export { CachingSessionStore } from './layers/caching-session-store.ts';
export { ChangeLoggingSessionBytesStore } from './layers/change-logging-session-bytes-store.ts';
export { WrappedSessionBytesStore } from './layers/wrapped-session-bytes-store.ts';

// Inner stores
export { LmdbKeyValueBytesStore } from './lmdb/lmdb-key-value-bytes-store.ts';
export type { LmdbKeyValueBytesStoreOptions, LmdbStoreOptions } from './lmdb/lmdb-key-value-bytes-store.ts';
export { InMemoryKeyValueBytesStore } from './memory/in-memory-key-value-bytes-store.ts';
export { LmdbWindowBytesStore } from './lmdb/lmdb-window-bytes-store.ts';
export { InMemoryWindowBytesStore } from './memory/in-memory-window-bytes-store.ts';
export type { WindowBytesStoreOptions } from './segmented/segmented-window-bytes-store.ts';
export { LmdbSessionBytesStore } from './lmdb/lmdb-session-bytes-store.ts';
export { InMemorySessionBytesStore } from './memory/in-memory-session-bytes-store.ts';
export type { SessionBytesStoreOptions } from './segmented/segmented-session-bytes-store.ts';
export { checkLmdbDataFile } from './lmdb/lmdb-meta-check.ts';
export { SortedBytesMap } from './sorted-bytes-map.ts';

// Metrics
export { StoreMetrics } from './store-metrics.ts';
export type { StoreMetricsSnapshot, StoreOperation, StoreOperationMetrics } from './store-metrics.ts';
