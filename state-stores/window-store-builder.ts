/**
 * The builders of window and session stores: metered -> caching -> change-logging -> segmented inner
 * store. Their changelogs are `compact,delete` with `retention.ms` = store retention + 1 day (Kafka
 * Streams' default additional retention), so the changelog keeps what the store keeps.
 */
import type { StoreBuilder } from '../core/processor/state-store.ts';
import type { TimestampedWindowStore, WindowStore } from './window-store.ts';
import type { SessionStore } from './session-store.ts';
import type { WindowBytesStore } from './window-bytes-store.ts';
import type { SessionBytesStore } from './session-bytes-store.ts';
import { LmdbWindowBytesStore } from './lmdb/lmdb-window-bytes-store.ts';
import { InMemoryWindowBytesStore } from './memory/in-memory-window-bytes-store.ts';
import { LmdbSessionBytesStore } from './lmdb/lmdb-session-bytes-store.ts';
import { InMemorySessionBytesStore } from './memory/in-memory-session-bytes-store.ts';
import { CachingWindowStore } from './layers/caching-window-store.ts';
import { ChangeLoggingWindowBytesStore } from './layers/change-logging-window-bytes-store.ts';
import { MeteredTimestampedWindowStore, MeteredWindowStore } from './layers/metered-window-store.ts';
import { CachingSessionStore } from './layers/caching-session-store.ts';
import { ChangeLoggingSessionBytesStore } from './layers/change-logging-session-bytes-store.ts';
import { MeteredSessionStore } from './layers/metered-session-store.ts';
import { loggingSettings, type StoreBuilderOptions, type StoreKind } from './key-value-store-builder.ts';
import { StoreCache } from './store-cache.ts';

/** Kafka Streams' `windowstore.changelog.additional.retention.ms` default: one day. */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000;

/** Options of {@link windowStoreBuilder}. */
export interface WindowStoreBuilderOptions<K, V> extends StoreBuilderOptions<K, V> {
  /** How long windows are kept after their start, at least window size + grace. */
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Keep every put of the same key and window (stream-stream joins); turns caching off. Default false. */
  readonly retainDuplicates?: boolean;
  /** Values carry their last update's timestamp (`ValueAndTimestamp<V>`). Default false. */
  readonly timestamped?: boolean;
  /** Default `max(retention / 2, 60 s)`. */
  readonly segmentIntervalMs?: number;
}

/** Options of {@link sessionStoreBuilder}. */
export interface SessionStoreBuilderOptions<K, V> extends StoreBuilderOptions<K, V> {
  /** How long sessions are kept after their end, at least inactivity gap + grace. */
  readonly retentionMs: number;
  /** Default `max(retention / 2, 60 s)`. */
  readonly segmentIntervalMs?: number;
}

function windowedLogConfig(retentionMs: number, extra: Readonly<Record<string, string>>): Record<string, string> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS), ...extra };
}

/** Builds window stores; also offers `createCache(maxBytes)` for the runtime. */
export class WindowStoreBuilder<S extends WindowStore<any, any>> implements StoreBuilder<S> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<Record<string, string>>;
  readonly kind: StoreKind;
  readonly cachingEnabled: boolean;

  constructor(private readonly options: WindowStoreBuilderOptions<any, any>) {
    const logging = loggingSettings(options.logging);
    this.name = options.name;
    this.loggingEnabled = logging.enabled;
    this.logConfig = windowedLogConfig(options.retentionMs, logging.configs);
    this.kind = options.kind ?? 'lmdb';
    this.cachingEnabled = (options.caching ?? true) && !(options.retainDuplicates ?? false);
  }

  build(): S {
    const o = this.options;
    const innerOptions = {
      retentionMs: o.retentionMs,
      windowSizeMs: o.windowSizeMs,
      retainDuplicates: o.retainDuplicates ?? false,
      ...(o.segmentIntervalMs === undefined ? {} : { segmentIntervalMs: o.segmentIntervalMs }),
    };
    const inner: WindowBytesStore = this.kind === 'memory' ? new InMemoryWindowBytesStore(this.name, innerOptions) : new LmdbWindowBytesStore(this.name, innerOptions);
    const logged = this.loggingEnabled ? new ChangeLoggingWindowBytesStore(inner) : inner;
    const bytes = this.cachingEnabled ? new CachingWindowStore(logged) : logged;
    const serdes = { keySerde: o.keySerde, valueSerde: o.valueSerde, recordLatency: o.recordLatency ?? false };
    return (o.timestamped ? new MeteredTimestampedWindowStore(bytes, serdes) : new MeteredWindowStore(bytes, serdes)) as unknown as S;
  }

  createCache(maxBytes: number): StoreCache {
    return new StoreCache(maxBytes);
  }
}

/** Builds session stores; also offers `createCache(maxBytes)` for the runtime. */
export class SessionStoreBuilder<K, V> implements StoreBuilder<SessionStore<K, V>> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<Record<string, string>>;
  readonly kind: StoreKind;
  readonly cachingEnabled: boolean;

  constructor(private readonly options: SessionStoreBuilderOptions<K, V>) {
    const logging = loggingSettings(options.logging);
    this.name = options.name;
    this.loggingEnabled = logging.enabled;
    this.logConfig = windowedLogConfig(options.retentionMs, logging.configs);
    this.kind = options.kind ?? 'lmdb';
    this.cachingEnabled = options.caching ?? true;
  }

  build(): SessionStore<K, V> {
    const o = this.options;
    const innerOptions = { retentionMs: o.retentionMs, ...(o.segmentIntervalMs === undefined ? {} : { segmentIntervalMs: o.segmentIntervalMs }) };
    const inner: SessionBytesStore = this.kind === 'memory' ? new InMemorySessionBytesStore(this.name, innerOptions) : new LmdbSessionBytesStore(this.name, innerOptions);
    const logged = this.loggingEnabled ? new ChangeLoggingSessionBytesStore(inner) : inner;
    const bytes = this.cachingEnabled ? new CachingSessionStore(logged) : logged;
    return new MeteredSessionStore(bytes, { keySerde: o.keySerde, valueSerde: o.valueSerde, recordLatency: o.recordLatency ?? false });
  }

  createCache(maxBytes: number): StoreCache {
    return new StoreCache(maxBytes);
  }
}

/**
 * A builder of window stores (LMDB by default; cached and logged unless turned off).
 *
 * @example
 * const counts = windowStoreBuilder({ name: 'counts-1m', keySerde: Serdes.string(), valueSerde: Serdes.int64(), windowSizeMs: 60_000, retentionMs: 120_000 });
 */
export function windowStoreBuilder<K, V>(
  options: WindowStoreBuilderOptions<K, V> & { readonly timestamped: true },
): WindowStoreBuilder<TimestampedWindowStore<K, V>>;
export function windowStoreBuilder<K, V>(options: WindowStoreBuilderOptions<K, V>): WindowStoreBuilder<WindowStore<K, V>>;
export function windowStoreBuilder<K, V>(options: WindowStoreBuilderOptions<K, V>): WindowStoreBuilder<WindowStore<K, any>> {
  return new WindowStoreBuilder(options);
}

/**
 * A builder of timestamped window stores (values `ValueAndTimestamp<V>`).
 * @example
 * const agg = timestampedWindowStoreBuilder({ name: 'agg', keySerde: Serdes.string(), valueSerde: Serdes.json<Stats>(), windowSizeMs: 60_000, retentionMs: 86_400_000 });
 */
export function timestampedWindowStoreBuilder<K, V>(
  options: Omit<WindowStoreBuilderOptions<K, V>, 'timestamped'>,
): WindowStoreBuilder<TimestampedWindowStore<K, V>> {
  return new WindowStoreBuilder({ ...options, timestamped: true });
}

/**
 * A builder of session stores.
 * @example
 * const sessions = sessionStoreBuilder({ name: 'sessions', keySerde: Serdes.string(), valueSerde: Serdes.int64(), retentionMs: 600_000 });
 */
export function sessionStoreBuilder<K, V>(options: SessionStoreBuilderOptions<K, V>): SessionStoreBuilder<K, V> {
  return new SessionStoreBuilder(options);
}
