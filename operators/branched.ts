/**
 * Options of `KStream.split` and `BranchedKStream.branch` (Kafka Streams' `Branched`).
 */
import type { KStream, Keying } from './k-stream.ts';
import type { Named } from './named.ts';

/** Options of `KStream.split`: `name` is the splitter node's name and the prefix of branch names. */
export interface SplitOptions extends Named {}

/**
 * A branch: its name (appended to the split prefix) and an optional chain applied to the branch stream.
 * When the chain returns a stream, that stream is the branch's entry in the result; when it returns
 * nothing (it ended in `to` or `foreach`), the branch is left out of the result, as in Kafka Streams.
 *
 * @example
 * stream.split({ name: 'level-' })
 *   .branch((_k, v) => v.level === 'error', { name: 'error', withChain: (s) => s.mapValues(alert) })
 *   .defaultBranch({ name: 'other' }); // { 'level-error': ..., 'level-other': ... }
 */
export interface Branched<K, V, S extends Keying = Keying> {
  /** Branch name; the result key is `<split prefix><name>`. Default: the branch's 1-based index. */
  name?: string;
  /** Applied to the branch stream; like Kafka's `Branched.withFunction`, it keeps the key and value types. */
  withChain?: (branch: KStream<K, V, S>) => KStream<K, V, S> | void;
}
