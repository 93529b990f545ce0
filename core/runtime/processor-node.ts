/**
 * A processor node of a running task: holds the task's own {@link Processor} instance (from the node's
 * supplier) and the names of the stores it may reach.
 */
import type { Processor, ProcessorSupplier } from '../processor/processor.ts';
import type { Record } from '../processor/record.ts';
import type { ProcessorContextImpl } from './processor-context-impl.ts';
import { RuntimeNode } from './runtime-node.ts';

/**
 * Runs one processor.
 *
 * @example
 * const node = new ProcessorNode('upper', () => new Upper(), [], context);
 * node.init(); node.process(record);
 */
export class ProcessorNode extends RuntimeNode {
  private readonly processor: Processor<unknown, unknown, unknown, unknown>;

  constructor(
    name: string,
    supplier: ProcessorSupplier<any, any, any, any>,
    /** Stores this processor is connected to. */
    readonly stores: readonly string[],
    private readonly context: ProcessorContextImpl,
  ) {
    super(name);
    this.processor = supplier();
  }

  override init(): void {
    if (this.processor.init === undefined) return;
    const previous = this.context.currentNode;
    this.context.currentNode = this;
    try {
      this.processor.init(this.context);
    } finally {
      this.context.currentNode = previous;
    }
  }

  process(record: Record<unknown, unknown>): void {
    this.processor.process(record);
  }

  override close(): void {
    if (this.processor.close === undefined) return;
    const previous = this.context.currentNode;
    this.context.currentNode = this;
    try {
      this.processor.close();
    } finally {
      this.context.currentNode = previous;
    }
  }
}
