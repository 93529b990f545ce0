/**
 * Options of `KStream.process` and `KStream.processValues`.
 */
import type { Named } from './named.ts';

/**
 * Names the processor node and the state stores (added with `StreamsBuilder.addStateStore`) the custom
 * processor may use. A processor with stores is stateful: after a key change the DSL inserts the
 * automatic repartition `<name>-repartition` before it, so each key's state lives in one task.
 *
 * @example
 * stream.process(() => new Dedupe(), { name: 'dedupe', stores: ['seen'] });
 */
export interface ProcessOptions extends Named {
  stores?: readonly string[];
}
