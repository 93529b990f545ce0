/**
 * `KTable.toStream`: the changelog stream of a table: every update as a record whose value is the
 * row's new value (null for a delete).
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import type { Change } from './change.ts';

/**
 * Forwards `Change.newValue`.
 *
 * @example
 * topology.addProcessor('counts-stream', kTableToStream(), 'counts');
 */
export class KTableToStream<K, V> implements Processor<K, Change<V>, K, V | null> {
  private context!: ProcessorContext<K, V | null>;

  init(context: ProcessorContext<K, V | null>): void {
    this.context = context;
  }

  process(record: Record<K, Change<V>>): void {
    this.context.forward(record.withValue(record.value.newValue));
  }
}

/** A supplier of {@link KTableToStream}. */
export function kTableToStream<K, V>(): () => KTableToStream<K, V> {
  return () => new KTableToStream<K, V>();
}
