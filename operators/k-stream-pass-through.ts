/**
 * KStreamPassThrough: forwards every record unchanged (used by `merge` and by the branches of `split`).
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';

/** Forwards each record as it is. Stateless. */
export class KStreamPassThrough<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    this.context.forward(record);
  }
}

/** A supplier of {@link KStreamPassThrough}. */
export function kStreamPassThrough<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () => new KStreamPassThrough<K, V>();
}
