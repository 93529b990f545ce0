/**
 * KStreamBranch: the splitter of `KStream.split` — sends each record to the first branch whose
 * predicate accepts it, else to the default branch (if any).
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';

/**
 * Forwards each record, unchanged, to exactly one child: the first whose predicate matches, else the
 * default child, else nowhere. Stateless.
 */
export class KStreamBranch<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;

  constructor(
    private readonly predicates: readonly ((key: K, value: V) => boolean)[],
    private readonly childNames: readonly string[],
    private readonly defaultChild: string | null,
  ) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    const predicates = this.predicates;
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(record.key, record.value)) {
        this.context.forward(record, this.childNames[i]);
        return;
      }
    }
    if (this.defaultChild !== null) this.context.forward(record, this.defaultChild);
  }
}

/**
 * A supplier of {@link KStreamBranch}. The lists are read when the supplier runs (at task creation), so
 * branches added after the splitter node was created are included.
 */
export function kStreamBranch<K, V>(
  predicates: readonly ((key: K, value: V) => boolean)[],
  childNames: readonly string[],
  defaultChild: () => string | null,
): ProcessorSupplier<K, V, K, V> {
  return () => new KStreamBranch(predicates.slice(), childNames.slice(), defaultChild());
}
