/**
 * KStreamFlatMap: `KStream.flatMap` — zero or more key/value pairs per record.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import type { KeyValue } from './k-stream-map.ts';

/**
 * Maps each record to any number of key/value pairs; every output carries the input's timestamp and a
 * copy of its headers (copy on write, so unchanged headers cost nothing). Stateless; the key changes.
 */
export class KStreamFlatMap<K, V, K2, V2> implements Processor<K, V, K2, V2> {
  private context!: ProcessorContext<K2, V2>;

  constructor(private readonly mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>) {}

  init(context: ProcessorContext<K2, V2>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    for (const kv of this.mapper(record.key, record.value)) {
      this.context.forward(new Record(kv[0], kv[1], record.timestamp, record.headers.clone()));
    }
  }
}

/** A supplier of {@link KStreamFlatMap}. */
export function kStreamFlatMap<K, V, K2, V2>(
  mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>,
): ProcessorSupplier<K, V, K2, V2> {
  return () => new KStreamFlatMap(mapper);
}
