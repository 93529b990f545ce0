/**
 * Avro schema compatibility, decided the way readers will actually read: with avsc's resolvers. A
 * reader schema can read data written with a writer schema when `reader.createResolver(writer)`
 * succeeds; failing to create the resolver means incompatible, and its message is the reason.
 */
import type { Type } from 'avsc';
import { reasonOf } from './serde-failures.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';

/**
 * Confluent's compatibility levels. BACKWARD: the new schema reads data written with the latest one
 * (consumers upgrade first); FORWARD: the latest schema reads data written with the new one; FULL: both.
 * `_TRANSITIVE` checks against every earlier version instead of only the latest. NONE: no check.
 */
export type CompatibilityLevel =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/** Every {@link CompatibilityLevel}, for validation. */
export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];

/** The answer of a compatibility check: `reasons` is empty when compatible. */
export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly reasons: readonly string[];
}

/**
 * Whether data written with `writer` can be read with `reader`, and if not, why.
 *
 * @example
 * canRead(parseAvroSchema('"long"'), parseAvroSchema('"int"')); // { compatible: true, reasons: [] }
 */
export function canRead(reader: Type, writer: Type): CompatibilityResult {
  try {
    reader.createResolver(writer);
    return { compatible: true, reasons: [] };
  } catch (error) {
    return { compatible: false, reasons: [reasonOf(error)] };
  }
}

/**
 * Checks a candidate schema against the existing versions of a subject (oldest first) at `level`.
 * Each reason names the version it conflicts with and the direction.
 *
 * @param candidate the schema about to be registered
 * @param existing the subject's registered versions, oldest first, with their version numbers
 * @example
 * checkAvroCompatibility(v2, [{ version: 1, type: v1 }], 'BACKWARD');
 */
export function checkAvroCompatibility(
  candidate: Type,
  existing: readonly { readonly version: number; readonly type: Type }[],
  level: CompatibilityLevel,
): CompatibilityResult {
  if (level === 'NONE' || existing.length === 0) return { compatible: true, reasons: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const against = transitive ? existing : existing.slice(-1);
  const reasons: string[] = [];
  for (const previous of against) {
    if (backward) {
      const r = canRead(candidate, previous.type);
      if (!r.compatible) reasons.push(`the new schema cannot read data written with version ${previous.version}: ${r.reasons[0]}`);
    }
    if (forward) {
      const r = canRead(previous.type, candidate);
      if (!r.compatible) reasons.push(`version ${previous.version} cannot read data written with the new schema: ${r.reasons[0]}`);
    }
  }
  return { compatible: reasons.length === 0, reasons };
}

/**
 * Checks that `level` is one of {@link COMPATIBILITY_LEVELS}.
 * @throws InvalidArgumentError
 */
export function assertCompatibilityLevel(level: string): asserts level is CompatibilityLevel {
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) {
    throw new InvalidArgumentError(`Unknown compatibility level "${level}" (one of ${COMPATIBILITY_LEVELS.join(', ')})`);
  }
}
