/**
 * `StreamJoined`: the options of a stream-stream join (Kafka Streams' `StreamJoined`): the serdes of
 * both sides' window stores and of the automatic repartitions, the names of the join's processors and
 * stores, and where and how the stores keep their records.
 */
import type { Serde } from '../core/serde/serde.ts';
import type { Materialized } from './materialized.ts';

/**
 * Options of `KStream.join` / `leftJoin` / `outerJoin` with another stream. Every field is optional.
 *
 * - `name` names the join's processors (`<name>-this-join`, `<name>-other-join`, `<name>-merge`) and
 *   the automatic repartitions (`<name>-left-repartition`, `<name>-right-repartition`); the default is
 *   generated from this stream's node.
 * - `storeName` names the stores (`<storeName>-this-join-store`, `<storeName>-other-join-store`, and for
 *   left and outer joins `<storeName>-outer-shared-join-store`); the default is `name`.
 *
 * @example
 * clicks.leftJoin(impressions, joiner, JoinWindows.ofTimeDifferenceWithNoGrace('10m'), {
 *   name: 'attribution', keySerde: Serdes.string(), valueSerde: clickSerde, otherValueSerde: impressionSerde,
 * });
 */
export interface StreamJoined<K, V, VO> {
  name?: string;
  storeName?: string;
  /** Key serde of the stores and repartitions (default: the streams', then the build's default). */
  keySerde?: Serde<K>;
  /** Value serde of this stream's window store and repartition. */
  valueSerde?: Serde<V>;
  /** Value serde of the other stream's window store and repartition. */
  otherValueSerde?: Serde<VO>;
  /** `'lmdb'` (default; persistent) or `'memory'`. */
  kind?: 'lmdb' | 'memory';
  /** Whether the stores write changelog topics (default true), with optional topic configs. */
  logging?: Materialized<unknown, unknown>['logging'];
}
