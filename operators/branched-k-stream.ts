/**
 * BranchedKStream: the result of `KStream.split()`, where named branches are added.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Branched } from './branched.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import { kStreamBranch } from './k-stream-branch.ts';
import { kStreamPassThrough } from './k-stream-pass-through.ts';
import type { KStream, Keying } from './k-stream.ts';

/**
 * Adds branches to a split. Each record goes to the first branch whose predicate matches, else to the
 * default branch. Branch `name`s are appended to the split's prefix (Kafka Streams' naming): unnamed
 * branches get their 1-based index, an unnamed default branch gets `0`. Finish with `defaultBranch()` or
 * `noDefaultBranch()`, which return the branches by full name.
 *
 * @example
 * const b = stream.split({ name: 'route-' })
 *   .branch((_k, v) => v.startsWith('a'), { name: 'a' })
 *   .branch((_k, v) => v.startsWith('b'))      // 'route-2'
 *   .defaultBranch();                          // 'route-0'
 */
export class BranchedKStream<K, V, S extends Keying = Keying> {
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  private readonly childNames: string[] = [];
  private defaultChild: string | null = null;
  private readonly splitter: ProcessorGraphNode;
  private readonly result: Record<string, KStream<K, V, S>> = {};
  private done = false;

  /** @internal Created by `KStream.split`. */
  constructor(
    private readonly source: KStream<K, V, S>,
    private readonly prefix: string,
  ) {
    this.splitter = new ProcessorGraphNode(
      prefix,
      [source.node],
      kStreamBranch(this.predicates, this.childNames, () => this.defaultChild),
    );
    source.derive(this.splitter, source.keying, source.keySerde, source.valueSerde);
  }

  /**
   * Adds a branch for the records `predicate` accepts (those no earlier branch took).
   *
   * @throws TopologyError after `defaultBranch()` / `noDefaultBranch()`, or for a duplicate branch name.
   */
  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V, S> = {}): this {
    this.checkOpen('branch');
    if (typeof predicate !== 'function') throw new TopologyError('branch: expected a predicate function');
    const name = this.addBranch(branched, String(this.predicates.length + 1));
    this.predicates.push(predicate);
    this.childNames.push(name);
    return this;
  }

  /**
   * Adds the branch for the records no predicate accepted and returns all branches by full name.
   *
   * @throws TopologyError when the split is already finished.
   */
  defaultBranch(branched: Branched<K, V, S> = {}): Record<string, KStream<K, V, S>> {
    this.checkOpen('defaultBranch');
    this.defaultChild = this.addBranch(branched, '0');
    this.done = true;
    return this.result;
  }

  /**
   * Finishes the split without a default branch (records no predicate accepts are dropped) and returns
   * all branches by full name.
   */
  noDefaultBranch(): Record<string, KStream<K, V, S>> {
    this.checkOpen('noDefaultBranch');
    this.done = true;
    return this.result;
  }

  private checkOpen(op: string): void {
    if (this.done) throw new TopologyError(`${op}: the split "${this.prefix}" is already finished`);
  }

  private addBranch(branched: Branched<K, V, S>, fallback: string): string {
    const name = `${this.prefix}${branched.name ?? fallback}`;
    const s = this.source;
    const branch = s.derive(new ProcessorGraphNode(name, [this.splitter], kStreamPassThrough()), s.keying, s.keySerde, s.valueSerde);
    const chained = branched.withChain ? branched.withChain(branch) : branch;
    if (chained) this.result[name] = chained;
    return name;
  }
}
