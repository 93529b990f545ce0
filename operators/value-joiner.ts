/**
 * The functions a join calls to combine the values of two matching records (Kafka Streams'
 * `ValueJoinerWithKey`): the value of this side, the value of the other side, and the read-only key.
 * In left and outer joins the missing side is `null`.
 */

/**
 * Combines the values of two records with the same key.
 *
 * @example
 * const joiner: ValueJoiner<string, Click, Impression, Attributed> = (click, impression, userId) => ({ userId, click, impression });
 */
export type ValueJoiner<K, V, VO, VR> = (value: V, otherValue: VO, key: K) => VR;
