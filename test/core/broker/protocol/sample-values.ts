/**
 * Test helper: sample values for any message description at any version, walking the description on its
 * own (not through the codec's compiled plans). Every field present in the version gets a value that
 * differs from its default; in the `nulls` variant every field that is nullable in that version is null.
 * In flexible versions every struct also carries an unknown tagged field.
 */
import { inVersionRange, type FieldSpec, type FieldType, type MessageSpec, type StructSpec } from '../../../../core/broker/protocol/message-spec.ts';

export type Variant = 'full' | 'nulls';

/** Tag numbers no description uses, so the codec must keep them as unknown. */
export const UNKNOWN_TAG = 4242;

export class SampleMaker {
  private n = 0;
  constructor(
    private readonly version: number,
    private readonly flexible: boolean,
    private readonly variant: Variant,
  ) {}

  message(spec: MessageSpec): Record<string, unknown> {
    return this.struct(spec);
  }

  private struct(spec: StructSpec): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (const f of spec.fields) {
      if (!inVersionRange(f.versions, this.version)) continue;
      obj[f.name] = this.fieldValue(f);
    }
    if (this.flexible) {
      const seed = this.next();
      obj['_unknownTaggedFields'] = [{ tag: UNKNOWN_TAG + (seed % 3), data: Buffer.from([seed & 0xff, 0xfe, 0x01]) }];
    }
    return obj;
  }

  private fieldValue(f: FieldSpec): unknown {
    if (this.variant === 'nulls' && inVersionRange(f.nullableVersions, this.version)) return null;
    if (f.type === 'bool') return f.default === true ? false : true;
    return this.value(f.type);
  }

  private value(type: FieldType | StructSpec): unknown {
    if (typeof type !== 'string') {
      if ('array' in type) return [this.value(type.array), this.value(type.array)];
      return this.struct(type);
    }
    const n = this.next();
    switch (type) {
      case 'int8':
        return (n % 120) + 1;
      case 'int16':
        return n % 2 === 0 ? (n % 30000) + 2 : -((n % 30000) + 2);
      case 'int32':
        return n % 2 === 0 ? n * 100_003 + 7 : -(n * 100_003 + 7);
      case 'int64':
        return n % 2 === 0 ? 2 ** 40 + n * 12_345 : -(2 ** 33) - n;
      case 'uint16':
        return 40_000 + (n % 20_000);
      case 'float64':
        return n + 0.25;
      case 'bool':
        return n % 2 === 0;
      case 'string':
        return `s${n}-ü✓`;
      case 'bytes':
        return Buffer.from([n & 0xff, 0, 0xff, 7]);
      case 'records':
        return Buffer.alloc(20 + (n % 7), n & 0xff);
      case 'uuid': {
        const hex = (n * 2654435761).toString(16).padStart(8, '0').slice(-8);
        return `${hex}-0000-4000-8000-${hex}abcd`;
      }
    }
  }

  private next(): number {
    this.n += 1;
    return this.n;
  }
}

/** Whether `actual` holds every value of `expected` (objects by key, Buffers by bytes, arrays fully). */
export function matches(expected: unknown, actual: unknown, path = '$'): string | null {
  if (Buffer.isBuffer(expected)) {
    return Buffer.isBuffer(actual) && expected.equals(actual) ? null : `${path}: buffer differs`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: array differs`;
    for (let i = 0; i < expected.length; i++) {
      const m = matches(expected[i], actual[i], `${path}[${i}]`);
      if (m !== null) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path}: expected an object`;
    for (const [k, v] of Object.entries(expected)) {
      const m = matches(v, (actual as Record<string, unknown>)[k], `${path}.${k}`);
      if (m !== null) return m;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : `${path}: expected ${String(expected)}, got ${String(actual)}`;
}

/** Every version of a description, 0 .. max of validVersions. */
export function versionsOf(spec: MessageSpec): number[] {
  const [min, max] = spec.validVersions.split('-').map(Number) as [number, number];
  const out: number[] = [];
  for (let v = min; v <= max; v++) out.push(v);
  return out;
}
