/**
 * The Processor API: the unit of work in a topology. A processor receives records one at a time, may
 * keep state in stores it was connected to, and forwards records to its children through its context.
 * Everything here runs on the per-record path: plain synchronous calls, no promises.
 */
import type { Record } from './record.ts';
import type { ProcessorContext, FixedKeyProcessorContext } from './processor-context.ts';

/**
 * A record processor. `KOut`/`VOut` are the types it forwards (`never` if it forwards nothing).
 *
 * @example
 * class Upper implements Processor<string, string, string, string> {
 *   private ctx!: ProcessorContext<string, string>;
 *   init(ctx: ProcessorContext<string, string>) { this.ctx = ctx; }
 *   process(r: Record<string, string>) { this.ctx.forward(r.withValue(r.value.toUpperCase())); }
 * }
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  /** Called once before the first record, with the context to forward through and reach stores. */
  init?(context: ProcessorContext<KOut, VOut>): void;
  /** Processes one record. Synchronous. */
  process(record: Record<KIn, VIn>): void;
  /** Called once when the task closes. */
  close?(): void;
}

/** Creates a fresh processor per task: processors hold per-task state and are never shared. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;

/**
 * A processor that may change values but never keys (`processValues`), so no repartition is needed after
 * it. Its context only forwards records with the key it received.
 */
export interface FixedKeyProcessor<K, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<K, VOut>): void;
  process(record: FixedKeyRecord<K, VIn>): void;
  close?(): void;
}

/** Creates a fresh fixed-key processor per task. */
export type FixedKeyProcessorSupplier<K, VIn, VOut = never> = () => FixedKeyProcessor<K, VIn, VOut>;

/** A record whose key cannot be replaced: `withKey` is absent from its type. */
export type FixedKeyRecord<K, V> = Omit<Record<K, V>, 'withKey' | 'withValue' | 'withTimestamp' | 'withHeaders'> & {
  withValue<V2>(value: V2): FixedKeyRecord<K, V2>;
  withTimestamp(timestamp: number): FixedKeyRecord<K, V>;
  withHeaders(headers: Record<K, V>['headers']): FixedKeyRecord<K, V>;
};
