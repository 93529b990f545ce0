/**
 * The graph node of a stream-stream join: the two join processors (`<base>-this-join` under the left
 * stream, `<base>-other-join` under the right one), the merge of their results (`<base>-merge`, the
 * node children connect to), both sides' window stores and, for left and outer joins, the outer join
 * shared store. Every store is connected to both join processors, so the two input streams end up in
 * one sub-topology and their topics in one co-partition group.
 */
import type { ProcessorSupplier } from '../../core/processor/processor.ts';
import type { Topology } from '../../core/topology/topology.ts';
import { kStreamPassThrough } from '../k-stream-pass-through.ts';
import { GraphNode, type WriteContext } from './graph-node.ts';
import type { StoreFactory } from './stateful-processor-node.ts';

/** The stores of a stream-stream join. */
export interface StreamStreamJoinStores {
  readonly left: StoreFactory;
  readonly right: StoreFactory;
  readonly outer: StoreFactory | null;
}

/** Writes the join processors, the merge and the stores. */
export class StreamStreamJoinNode extends GraphNode {
  readonly thisName: string;
  readonly otherName: string;

  constructor(
    readonly base: string,
    left: GraphNode,
    right: GraphNode,
    private readonly thisSupplier: ProcessorSupplier<any, any, any, any>,
    private readonly otherSupplier: ProcessorSupplier<any, any, any, any>,
    readonly stores: StreamStreamJoinStores,
  ) {
    super(`${base}-merge`, [left, right]);
    this.thisName = `${base}-this-join`;
    this.otherName = `${base}-other-join`;
  }

  physicalNames(): readonly string[] {
    return [this.thisName, this.otherName, this.name];
  }

  writeToTopology(topology: Topology, context: WriteContext): void {
    topology.addProcessor(this.thisName, this.thisSupplier, this.parents[0]!.name);
    topology.addProcessor(this.otherName, this.otherSupplier, this.parents[1]!.name);
    topology.addProcessor(this.name, kStreamPassThrough(), this.thisName, this.otherName);
    const { left, right, outer } = this.stores;
    for (const store of outer === null ? [left, right] : [left, right, outer]) {
      topology.addStateStore(store.build(context), this.thisName, this.otherName);
    }
  }
}
