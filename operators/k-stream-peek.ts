/**
 * KStreamPeek: `KStream.peek` (forwards) and `KStream.foreach` (terminal).
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';

/** Calls an action per record; with `forward` it then passes the record on unchanged. Stateless. */
export class KStreamPeek<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;

  constructor(
    private readonly action: (key: K, value: V) => void,
    private readonly forward: boolean,
  ) {}

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: Record<K, V>): void {
    this.action(record.key, record.value);
    if (this.forward) this.context.forward(record);
  }
}

/** A supplier of {@link KStreamPeek}. */
export function kStreamPeek<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V, K, V> {
  return () => new KStreamPeek(action, forward);
}
