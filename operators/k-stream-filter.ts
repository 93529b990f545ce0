/**
 * KStreamFilter: `KStream.filter` and `KStream.filterNot`.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';

/** Forwards the records the predicate accepts (or, with `filterNot`, rejects), unchanged. Stateless. */
export class KStreamFilter<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;

  constructor(
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly filterNot: boolean,
  ) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    if (this.predicate(record.key, record.value) !== this.filterNot) this.context.forward(record);
  }
}

/** A supplier of {@link KStreamFilter}. */
export function kStreamFilter<K, V>(predicate: (key: K, value: V) => boolean, filterNot: boolean): ProcessorSupplier<K, V, K, V> {
  return () => new KStreamFilter(predicate, filterNot);
}
