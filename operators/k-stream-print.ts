/**
 * KStreamPrint: `KStream.print` — writes one line per record.
 */
import type { Processor, ProcessorSupplier } from '../core/processor/processor.ts';
import type { Record } from '../core/processor/record.ts';
import type { PrintSink } from './printed.ts';

/** `key, value`, with objects as JSON (Buffers as their text). */
export function defaultPrintMapper(key: unknown, value: unknown): string {
  return `${show(key)}, ${show(value)}`;
}

function show(x: unknown): string {
  if (x === null || x === undefined || typeof x !== 'object') return String(x);
  if (Buffer.isBuffer(x)) return x.toString('utf8');
  try {
    return JSON.stringify(x);
  } catch {
    return String(x);
  }
}

/** Writes `[label]: <mapper(key, value)>\n` per record to the sink; terminal (forwards nothing). */
export class KStreamPrint<K, V> implements Processor<K, V> {
  constructor(
    private readonly label: string,
    private readonly mapper: (key: K, value: V) => string,
    private readonly sink: PrintSink,
  ) {}

  process(record: Record<K, V>): void {
    this.sink.write(`[${this.label}]: ${this.mapper(record.key, record.value)}\n`);
  }
}

/** A supplier of {@link KStreamPrint}. */
export function kStreamPrint<K, V>(label: string, mapper: (key: K, value: V) => string, sink: PrintSink): ProcessorSupplier<K, V> {
  return () => new KStreamPrint(label, mapper, sink);
}
