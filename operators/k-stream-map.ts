/**
 * KStreamMap: `KStream.map` — a new key and value per record.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';

/** A key and a value, as mappers return them. */
export type KeyValue<K, V> = readonly [key: K, value: V];

/**
 * Maps each record to a new key and value; timestamp and headers are kept (the same headers object,
 * as in Kafka Streams). Stateless; the key changes, so the result needs a repartition before stateful use.
 */
export class KStreamMap<K, V, K2, V2> implements Processor<K, V, K2, V2> {
  private context!: ProcessorContext<K2, V2>;

  constructor(private readonly mapper: (key: K, value: V) => KeyValue<K2, V2>) {}

  init(context: ProcessorContext<K2, V2>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    const kv = this.mapper(record.key, record.value);
    this.context.forward(new Record(kv[0], kv[1], record.timestamp, record.headers));
  }
}

/** A supplier of {@link KStreamMap}. */
export function kStreamMap<K, V, K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>): ProcessorSupplier<K, V, K2, V2> {
  return () => new KStreamMap(mapper);
}
