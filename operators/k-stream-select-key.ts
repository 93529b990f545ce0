/**
 * KStreamSelectKey: `KStream.selectKey` — a new key per record, same value.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';

/** Replaces each record's key; value, timestamp and headers are kept. Stateless; the key changes. */
export class KStreamSelectKey<K, V, K2> implements Processor<K, V, K2, V> {
  private context!: ProcessorContext<K2, V>;

  constructor(private readonly selector: (key: K, value: V) => K2) {}

  init(context: ProcessorContext<K2, V>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    this.context.forward(record.withKey(this.selector(record.key, record.value)));
  }
}

/** A supplier of {@link KStreamSelectKey}. */
export function kStreamSelectKey<K, V, K2>(selector: (key: K, value: V) => K2): ProcessorSupplier<K, V, K2, V> {
  return () => new KStreamSelectKey(selector);
}
