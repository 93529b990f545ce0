/**
 * Options of `KStream.repartition` (Kafka Streams' `Repartitioned`).
 */
import type { StreamPartitioner } from '../core/topology/physical-topology.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { Named } from './named.ts';

/**
 * How a stream is repartitioned through the internal topic `<applicationId>-<name>-repartition`.
 *
 * @example
 * stream.selectKey((_k, v) => v.customerId).repartition({ name: 'by-customer', numberOfPartitions: 6 });
 */
export interface Repartitioned<K, V> extends Named {
  /** Partition count of the repartition topic; default: the largest partition count of the inputs. */
  numberOfPartitions?: number;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}
