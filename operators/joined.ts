/**
 * `Joined`: the options of a stream-table join (Kafka Streams' `Joined`): serdes of the automatic
 * repartition of a rekeyed stream, and the name of the join's processor.
 */
import type { Serde } from '../core/serde/serde.ts';

/**
 * Options of `KStream.join` / `leftJoin` with a table. Every field is optional. `name` names the join
 * processor and the automatic repartition of a rekeyed stream (`<name>-repartition`).
 *
 * @example
 * pageViews.join(users, (view, user) => ({ ...view, region: user.region }), { name: 'enrich', valueSerde: viewSerde });
 */
export interface Joined<K, V, VT> {
  name?: string;
  /** Key serde of the stream's repartition (default: the stream's, then the build's default). */
  keySerde?: Serde<K>;
  /** Value serde of the stream's repartition. */
  valueSerde?: Serde<V>;
  /** The table's value serde (used when the table has to be materialized for the join). */
  otherValueSerde?: Serde<VT>;
}
