/**
 * Serializer / deserializer pairs: how typed keys and values become the bytes of a record and back.
 * A serde is told the topic (and, for errors, where the bytes came from) so that schema-aware serdes
 * can pick a subject per topic.
 */
import type { RecordHeader } from '../log/log-contracts.ts';

/** Turns a typed value into bytes. `null` stays `null` (a tombstone or a null key). */
export interface Serializer<T> {
  serialize(topic: string, data: T | null, headers?: RecordHeader[]): Buffer | null;
}

/** Turns bytes back into a typed value. `null` bytes give `null`. */
export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): T | null;
}

/**
 * A serializer and deserializer for one type.
 *
 * @example
 * const s: Serde<string> = Serdes.string();
 * s.deserialize('t', s.serialize('t', 'hi')); // 'hi'
 */
export interface Serde<T> extends Serializer<T>, Deserializer<T> {
  /** A short name for descriptions and error messages, e.g. `string`, `json`, `avro(Order)`. */
  readonly name: string;
  /**
   * Optional asynchronous set-up for one topic, awaited by the runtime and the test driver before the
   * first record of `topic` goes through this serde (as key when `isKey`). Serdes that need I/O before
   * they can work synchronously do it here: the Confluent Avro serde registers its schema. Idempotent.
   */
  prepare?(topic: string, isKey: boolean): Promise<unknown>;
}
