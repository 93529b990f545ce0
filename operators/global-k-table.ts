/**
 * GlobalKTable: a table of the latest value per key of a topic, with a full copy (every partition) on
 * every application instance (Kafka Streams' `GlobalKTable`). Made by `StreamsBuilder.globalTable`;
 * streams join it by a key they select from each record (`KStream.join(globalTable, keySelector,
 * joiner)`), without co-partitioning.
 */
import type { Serde } from '../core/serde/serde.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';

/**
 * A global table. Its store is always materialized and queryable (`app.store(queryableStoreName)`,
 * `driver.getStateStore`); it is restored from the source topic on start, and the topic is its changelog.
 *
 * @example
 * const countries = builder.globalTable<string, string>('countries', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
 * orders.join(countries, (_id, order) => order.country, (order, country) => ({ ...order, country }));
 */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    /** @internal The builder the table belongs to. */
    readonly graphBuilder: InternalStreamsBuilder,
    /** The name of the table's store (Kafka's `queryableStoreName()`). */
    readonly queryableStoreName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
  ) {}
}
