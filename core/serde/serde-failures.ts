/**
 * Builders for the {@link SerdeError}s the built-in serdes throw: one place for the wording, so every
 * serde reports `Cannot deserialize data of <topic> with <serde>: <reason>`.
 */
import { SerdeError } from '../errors/streams-errors.ts';

/** The message of anything thrown. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A deserialization failure of `serde` on `topic`.
 *
 * @example
 * throw deserializeError('orders', 'int32', 'expected 4 bytes, got 3');
 */
export function deserializeError(topic: string, serde: string, reason: string, cause?: unknown): SerdeError {
  return new SerdeError({ operation: 'deserialize', serde, reason }, { topic }, cause === undefined ? undefined : { cause });
}

/**
 * A serialization failure of `serde` on `topic`.
 *
 * @example
 * throw serializeError('orders', 'int32', 'expected an integer in [-2^31, 2^31), got 1.5');
 */
export function serializeError(topic: string, serde: string, reason: string, cause?: unknown): SerdeError {
  return new SerdeError({ operation: 'serialize', serde, reason }, { topic }, cause === undefined ? undefined : { cause });
}

/** A short, printable description of a value for error messages (never the whole value). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string "${value.slice(0, 40)}..."` : `string "${value}"`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return `${typeof value} ${String(value)}`;
  if (Buffer.isBuffer(value)) return `Buffer of ${value.length} bytes`;
  return Array.isArray(value) ? 'an array' : `an ${typeof value}`;
}
