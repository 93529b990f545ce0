/**
 * KStreamObservableSink: the terminal processor behind `KStream.toObservable()`.
 */
import type { Subject } from 'rxjs';
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { Headers, Record } from '../core/processor/record.ts';

/** What `KStream.toObservable()` emits per record. */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Pushes every record into a Subject shared by all tasks of the running application (in-process). It is
 * the edge of the topology: one `next` per record, after the record left the per-record path's
 * processors; it forwards nothing.
 */
export class KStreamObservableSink<K, V> implements Processor<K, V> {
  constructor(private readonly subject: Subject<StreamRecord<K, V>>) {}

  process(record: Record<K, V>): void {
    this.subject.next({ key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers });
  }
}

/** A supplier of {@link KStreamObservableSink}; every task pushes into the same subject. */
export function kStreamObservableSink<K, V>(subject: Subject<StreamRecord<K, V>>): ProcessorSupplier<K, V> {
  return () => new KStreamObservableSink(subject);
}
