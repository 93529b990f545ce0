/**
 * Options of `StreamsBuilder.stream` (Kafka Streams' `Consumed`).
 */
import type { OffsetReset, TimestampExtractor } from '../core/topology/physical-topology.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { Named } from './named.ts';

/**
 * How a source topic is read: serdes, timestamp extractor, offset reset, and the source node's name.
 * Serdes are typed, so a `Serde<string>` cannot be given for a stream of numbers.
 *
 * @example
 * builder.stream<string, Order>('orders', { keySerde: new StringSerde(), valueSerde: new JsonSerde<Order>() });
 */
export interface Consumed<K, V> extends Named {
  /** Key serde; falls back to the default key serde of `build()` or the runtime. */
  keySerde?: Serde<K>;
  /** Value serde; falls back to the default value serde of `build()` or the runtime. */
  valueSerde?: Serde<V>;
  /** Picks each record's timestamp; default: the record's own timestamp. */
  timestampExtractor?: TimestampExtractor;
  /** Where to start without a committed offset; default: the runtime's setting. */
  offsetReset?: OffsetReset;
}
