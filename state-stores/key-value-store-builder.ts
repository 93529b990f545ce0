/**
 * The builder of key-value stores: one store per task, composed in one expression
 * `new MeteredKeyValueStore(withCaching(withChangeLogging(inner)), serdes)`.
 */
import type { StoreBuilder } from '../core/processor/state-store.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { KeyValueBytesStore } from './key-value-bytes-store.ts';
import type { KeyValueStore, TimestampedKeyValueStore } from './key-value-store.ts';
import { LmdbKeyValueBytesStore } from './lmdb/lmdb-key-value-bytes-store.ts';
import { InMemoryKeyValueBytesStore } from './memory/in-memory-key-value-bytes-store.ts';
import { CachingKeyValueStore } from './layers/caching-key-value-store.ts';
import { ChangeLoggingKeyValueBytesStore } from './layers/change-logging-key-value-bytes-store.ts';
import { ChangeLoggingTimestampedKeyValueBytesStore } from './layers/change-logging-timestamped-key-value-bytes-store.ts';
import { MeteredKeyValueStore } from './layers/metered-key-value-store.ts';
import { MeteredTimestampedKeyValueStore } from './layers/metered-timestamped-key-value-store.ts';
import { StoreCache } from './store-cache.ts';

/** Where a store keeps its data. */
export type StoreKind = 'lmdb' | 'memory';

/** Changelog settings: on/off, or on with extra topic configs (Kafka names). */
export type LoggingOption = boolean | { readonly configs?: Readonly<Record<string, string>> };

/** Options shared by every store builder. */
export interface StoreBuilderOptions<K, V> {
  /** The store name (also names its changelog topic `<applicationId>-<name>-changelog`). */
  readonly name: string;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** Default 'lmdb'. */
  readonly kind?: StoreKind;
  /** Write-back cache in front of the store. Default true. */
  readonly caching?: boolean;
  /** Changelog topic. Default true. */
  readonly logging?: LoggingOption;
  /** Time every store operation. Default false. */
  readonly recordLatency?: boolean;
}

/** Options of {@link keyValueStoreBuilder}. */
export interface KeyValueStoreBuilderOptions<K, V> extends StoreBuilderOptions<K, V> {
  /** Values carry the timestamp of their last update (`ValueAndTimestamp<V>`). Default false. */
  readonly timestamped?: boolean;
}

/** The caching layer over `inner`, or `inner` itself when caching is off. */
export function withCaching(inner: KeyValueBytesStore, enabled: boolean): KeyValueBytesStore {
  return enabled ? new CachingKeyValueStore(inner) : inner;
}

/** The change-logging layer over `inner`, or `inner` itself when logging is off. */
export function withChangeLogging(inner: KeyValueBytesStore, enabled: boolean, timestamped = false): KeyValueBytesStore {
  if (!enabled) return inner;
  return timestamped ? new ChangeLoggingTimestampedKeyValueBytesStore(inner) : new ChangeLoggingKeyValueBytesStore(inner);
}

/** The inner key-value store of a kind. */
export function innerKeyValueStore(name: string, kind: StoreKind): KeyValueBytesStore {
  return kind === 'memory' ? new InMemoryKeyValueBytesStore(name) : new LmdbKeyValueBytesStore(name);
}

/** Whether logging is on, and the topic configs it adds. */
export function loggingSettings(logging: LoggingOption | undefined): { enabled: boolean; configs: Readonly<Record<string, string>> } {
  if (logging === false) return { enabled: false, configs: {} };
  if (logging === true || logging === undefined) return { enabled: true, configs: {} };
  return { enabled: true, configs: logging.configs ?? {} };
}

/**
 * Builds key-value stores. Also offers `createCache(maxBytes)`, which the runtime uses to make the
 * app-wide {@link StoreCache}.
 */
export class KeyValueStoreBuilder<S extends KeyValueStore<any, any>> implements StoreBuilder<S> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<Record<string, string>>;
  readonly kind: StoreKind;
  readonly cachingEnabled: boolean;
  readonly timestamped: boolean;

  constructor(private readonly options: KeyValueStoreBuilderOptions<any, any>) {
    const logging = loggingSettings(options.logging);
    this.name = options.name;
    this.loggingEnabled = logging.enabled;
    this.logConfig = { 'cleanup.policy': 'compact', ...logging.configs };
    this.kind = options.kind ?? 'lmdb';
    this.cachingEnabled = options.caching ?? true;
    this.timestamped = options.timestamped ?? false;
  }

  build(): S {
    const o = this.options;
    const inner = innerKeyValueStore(this.name, this.kind);
    const bytes = withCaching(withChangeLogging(inner, this.loggingEnabled, this.timestamped), this.cachingEnabled);
    const serdes = { keySerde: o.keySerde, valueSerde: o.valueSerde, recordLatency: o.recordLatency ?? false };
    return (this.timestamped ? new MeteredTimestampedKeyValueStore(bytes, serdes) : new MeteredKeyValueStore(bytes, serdes)) as unknown as S;
  }

  /** Makes the app-wide store cache (called by the runtime, once per instance). */
  createCache(maxBytes: number): StoreCache {
    return new StoreCache(maxBytes);
  }
}

/**
 * A builder of key-value stores (LMDB by default; cached and logged unless turned off).
 *
 * @example
 * const counts = keyValueStoreBuilder({ name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.int64() });
 * topology.addStateStore(counts, 'counter');
 */
export function keyValueStoreBuilder<K, V>(
  options: KeyValueStoreBuilderOptions<K, V> & { readonly timestamped: true },
): KeyValueStoreBuilder<TimestampedKeyValueStore<K, V>>;
export function keyValueStoreBuilder<K, V>(options: KeyValueStoreBuilderOptions<K, V>): KeyValueStoreBuilder<KeyValueStore<K, V>>;
export function keyValueStoreBuilder<K, V>(options: KeyValueStoreBuilderOptions<K, V>): KeyValueStoreBuilder<KeyValueStore<K, any>> {
  return new KeyValueStoreBuilder(options);
}

/**
 * A builder of timestamped key-value stores (the store of a KTable).
 *
 * @example
 * const table = timestampedKeyValueStoreBuilder({ name: 'users', keySerde: Serdes.string(), valueSerde: Serdes.json<User>() });
 */
export function timestampedKeyValueStoreBuilder<K, V>(
  options: Omit<KeyValueStoreBuilderOptions<K, V>, 'timestamped'>,
): KeyValueStoreBuilder<TimestampedKeyValueStore<K, V>> {
  return new KeyValueStoreBuilder({ ...options, timestamped: true });
}
