/**
 * Options of `KStream.to` (Kafka Streams' `Produced`).
 */
import type { StreamPartitioner } from '../core/topology/physical-topology.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { Named } from './named.ts';

/**
 * How records are written to a topic: serdes, partitioner, and the sink node's name. Serdes not given
 * fall back to the serdes the stream carries (known when no operator changed the key or value since
 * the source), then to the defaults of `build()` or the runtime.
 *
 * @example
 * stream.to('big-orders', { valueSerde: new JsonSerde<Order>(), partitioner: (_t, _k, v, n) => v.region % n });
 */
export interface Produced<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** Chooses the partition; `undefined` falls back to murmur2 of the key bytes. */
  partitioner?: StreamPartitioner<K, V>;
}
