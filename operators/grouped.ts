/**
 * `Grouped`: options of `groupByKey` / `groupBy`: the serdes of the grouped records (used by the
 * repartition topic, when one is needed, and by the store) and the repartition topic's name.
 */
import type { Serde } from '../core/serde/serde.ts';

/**
 * Options of a grouping.
 *
 * @example
 * words.groupBy((_k, w) => w, { name: 'by-word', keySerde: Serdes.string() });
 * // repartition topic: <applicationId>-by-word-repartition
 */
export interface Grouped<K, V> {
  /** Base name of the repartition topic (`<name>-repartition`), when the grouping needs one. */
  name?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}
