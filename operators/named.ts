/**
 * The `name` option every DSL operator accepts (Kafka Streams' `Named`).
 */

/**
 * Names the processor node an operator creates. Without it the DSL generates a stable name from the
 * parent's name, the operator and the operator's index among that parent's children of the same kind
 * (`orders.map-0`), so adding an operator elsewhere never renames existing nodes or internal topics.
 *
 * @example
 * stream.filter((_k, v) => v.amount > 100, { name: 'big-orders' });
 */
export interface Named {
  /** The node name; must be unique in the topology. */
  name?: string;
}
