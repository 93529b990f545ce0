/**
 * KStreamFlatMapValues: `KStream.flatMapValues` — zero or more values per record, same key.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';

/**
 * Maps each value (the mapper also sees the read-only key) to any number of values; every output keeps
 * the key and timestamp and gets a copy of the headers. Stateless; never needs a repartition.
 */
export class KStreamFlatMapValues<K, V, V2> implements Processor<K, V, K, V2> {
  private context!: ProcessorContext<K, V2>;

  constructor(private readonly mapper: (value: V, key: K) => Iterable<V2>) {}

  init(context: ProcessorContext<K, V2>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    for (const value of this.mapper(record.value, record.key)) {
      this.context.forward(new Record(record.key, value, record.timestamp, record.headers.clone()));
    }
  }
}

/** A supplier of {@link KStreamFlatMapValues}. */
export function kStreamFlatMapValues<K, V, V2>(mapper: (value: V, key: K) => Iterable<V2>): ProcessorSupplier<K, V, K, V2> {
  return () => new KStreamFlatMapValues(mapper);
}
