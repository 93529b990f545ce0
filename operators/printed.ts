/**
 * Options of `KStream.print` (Kafka Streams' `Printed`).
 */
import type { Named } from './named.ts';

/** Where printed lines go: anything with a `write(text)` method (a Writable, `process.stdout`, a collector). */
export interface PrintSink {
  write(text: string): unknown;
}

/**
 * What `print` writes: one line per record `[label]: key, value` (the mapper replaces `key, value`).
 *
 * @example
 * stream.print({ label: 'orders', mapper: (k, v) => `${k} -> ${v.amount}` });
 */
export interface PrintOptions<K, V> extends Named {
  /** The label in brackets; default: the node name. */
  label?: string;
  /** Formats a record; default `${key}, ${value}` (objects as JSON). */
  mapper?: (key: K, value: V) => string;
  /** Destination; default `process.stdout`. */
  to?: PrintSink;
}
