/**
 * `Materialized`: how a KTable or an aggregation keeps its state store: the store's name (which names
 * its changelog topic `<applicationId>-<name>-changelog` and makes it queryable), serdes, LMDB or
 * memory, changelog and cache settings, and the retention of window and session stores.
 */
import type { Duration } from '../core/time/duration.ts';
import type { Serde } from '../core/serde/serde.ts';

/**
 * Options of a materialized store. Every field is optional: the store name is then generated from the
 * operation's name (stable, `<processor name>-store`), the serdes come from the stream or table (or the
 * build's default serdes).
 *
 * @example
 * stream.groupByKey().count({ storeName: 'counts', kind: 'memory', caching: false });
 */
export interface Materialized<K, V> {
  /** The store's name; also the name interactive queries and `driver.getStateStore` use. */
  storeName?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** `'lmdb'` (default; persistent) or `'memory'`. */
  kind?: 'lmdb' | 'memory';
  /** Whether writes also go to the changelog topic (default true), with optional topic configs. */
  logging?: boolean | { readonly configs: Readonly<Record<string, string>> };
  /**
   * Whether the store caches writes (default true): a table then forwards one update per key per
   * commit interval (or cache eviction) instead of every update.
   */
  caching?: boolean;
  /** Window and session stores: how long windows are kept (default: window size + grace). */
  retention?: Duration;
}

/** An optional explicit name of the processor node an operation creates. */
export interface NamedOperation {
  /** Names the processor node (and is the prefix of generated names derived from it). */
  name?: string;
}
