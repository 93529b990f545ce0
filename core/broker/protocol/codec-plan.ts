/**
 * The compiled form of a message description for one version, used by the codec engine (codec.ts): per
 * struct, the fields in description order with whether each is present, tagged or nullable in that
 * version, and a function making its default value. Compiled once per (struct, version) and cached.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';
import { inVersionRange, ZERO_UUID, type FieldSpec, type FieldType, type StructSpec } from './message-spec.ts';

/** Wire type of a compiled field. */
export const enum Kind {
  Int8,
  Int16,
  Int32,
  Int64,
  Uint16,
  Float64,
  Bool,
  String,
  Bytes,
  Uuid,
  Records,
  Array,
  Struct,
}

const SCALAR_KINDS: Record<string, Kind> = {
  int8: Kind.Int8,
  int16: Kind.Int16,
  int32: Kind.Int32,
  int64: Kind.Int64,
  uint16: Kind.Uint16,
  float64: Kind.Float64,
  bool: Kind.Bool,
  string: Kind.String,
  bytes: Kind.Bytes,
  uuid: Kind.Uuid,
  records: Kind.Records,
};

/** A field type compiled for one version. */
export interface CompiledType {
  kind: Kind;
  /** Element type of an array. */
  element: CompiledType | null;
  /** Plan of a struct (or of an array's struct elements). */
  plan: Plan | null;
}

/** One field of a struct compiled for one version. */
export interface CompiledField {
  name: string;
  type: CompiledType;
  nullable: boolean;
  /** 0 = regular, 1 = absent in this version (default), 2 = tagged. */
  mode: 0 | 1 | 2;
  tag: number;
  makeDefault: () => unknown;
}

/** A struct compiled for one version. */
export interface Plan {
  flexible: boolean;
  /** Every field in description order. */
  all: CompiledField[];
  /** Tagged fields of this version in ascending tag order. */
  tagged: CompiledField[];
  taggedByTag: Map<number, CompiledField>;
}

const EMPTY_BUFFER = Buffer.alloc(0);
const plans = new WeakMap<StructSpec, Plan[]>();

/** The plan of `spec` at `version` (compiled on first use, then cached). */
export function compilePlan(spec: StructSpec, version: number, flexible: boolean): Plan {
  let byVersion = plans.get(spec);
  if (byVersion === undefined) {
    byVersion = [];
    plans.set(spec, byVersion);
  }
  const cached = byVersion[version * 2 + (flexible ? 1 : 0)];
  if (cached !== undefined) return cached;
  const plan: Plan = { flexible, all: [], tagged: [], taggedByTag: new Map() };
  byVersion[version * 2 + (flexible ? 1 : 0)] = plan;
  for (const f of spec.fields) {
    const type = compileType(f.type, version, flexible);
    const present = inVersionRange(f.versions, version);
    const tagged = present && flexible && inVersionRange(f.taggedVersions, version);
    const compiled: CompiledField = {
      name: f.name,
      type,
      nullable: present && inVersionRange(f.nullableVersions, version),
      mode: !present ? 1 : tagged ? 2 : 0,
      tag: f.tag ?? -1,
      makeDefault: defaultMaker(f, type),
    };
    plan.all.push(compiled);
    if (tagged) {
      plan.tagged.push(compiled);
      plan.taggedByTag.set(compiled.tag, compiled);
    }
  }
  plan.tagged.sort((a, b) => a.tag - b.tag);
  return plan;
}

function compileType(type: FieldType | StructSpec, version: number, flexible: boolean): CompiledType {
  if (typeof type === 'string') {
    const kind = SCALAR_KINDS[type];
    if (kind === undefined) throw new ProtocolError(`unknown field type "${type}" in a message description`);
    return { kind, element: null, plan: null };
  }
  if ('array' in type) {
    return { kind: Kind.Array, element: compileType(type.array, version, flexible), plan: null };
  }
  return { kind: Kind.Struct, element: null, plan: compilePlan(type, version, flexible) };
}

function defaultMaker(f: FieldSpec, type: CompiledType): () => unknown {
  if (f.default !== undefined) {
    const value = f.default;
    if (Array.isArray(value)) return () => [];
    return () => value;
  }
  switch (type.kind) {
    case Kind.Bool:
      return () => false;
    case Kind.String:
      return () => '';
    case Kind.Bytes:
      return () => EMPTY_BUFFER;
    case Kind.Uuid:
      return () => ZERO_UUID;
    case Kind.Records:
      return () => null;
    case Kind.Array:
      return () => [];
    case Kind.Struct: {
      const plan = type.plan!;
      return () => defaultStruct(plan);
    }
    default:
      return () => 0;
  }
}

function defaultStruct(plan: Plan): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of plan.all) obj[f.name] = f.makeDefault();
  return obj;
}

/** Whether `value` equals the field's default (tagged fields are written only when it does not). */
export function isDefault(f: CompiledField, value: unknown): boolean {
  const d = f.makeDefault();
  if (value === d) return true;
  if (value === null || d === null || typeof value !== 'object') return false;
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(d) && value.length === 0 && d.length === 0;
  if (Array.isArray(value)) return Array.isArray(d) && value.length === 0 && d.length === 0;
  if (f.type.kind !== Kind.Struct) return false;
  const obj = value as Record<string, unknown>;
  const unknown = obj['_unknownTaggedFields'] as unknown[] | undefined;
  if (unknown !== undefined && unknown.length > 0) return false;
  for (const sub of f.type.plan!.all) {
    if (sub.mode === 1) continue;
    const v = obj[sub.name];
    if (v !== undefined && !isDefault(sub, v)) return false;
  }
  return true;
}
