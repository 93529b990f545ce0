/**
 * KStreamMapValues: `KStream.mapValues` — a new value per record, same key.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';

/**
 * Maps each value (the mapper also sees the read-only key); key, timestamp and headers are kept.
 * Stateless; never needs a repartition.
 */
export class KStreamMapValues<K, V, V2> implements Processor<K, V, K, V2> {
  private context!: ProcessorContext<K, V2>;

  constructor(private readonly mapper: (value: V, key: K) => V2) {}

  init(context: ProcessorContext<K, V2>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    this.context.forward(record.withValue(this.mapper(record.value, record.key)));
  }
}

/** A supplier of {@link KStreamMapValues}. */
export function kStreamMapValues<K, V, V2>(mapper: (value: V, key: K) => V2): ProcessorSupplier<K, V, K, V2> {
  return () => new KStreamMapValues(mapper);
}
