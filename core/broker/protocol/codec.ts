/**
 * The one codec engine for every Kafka protocol message: it reads a {@link MessageSpec} and encodes or
 * decodes any version of it. Per (struct, version) the description is compiled once into a plan (the
 * fields present in that version, which are nullable, which are tagged, their defaults), so the per-message
 * work is a loop over plain arrays.
 *
 * Classic versions: int16-length strings, int32-length bytes and arrays (-1 = null). Flexible versions
 * (KIP-482): unsigned-varint length + 1 (0 = null) for strings, bytes, records and arrays, and a tag buffer
 * at the end of every struct: count, then (tag, size, data) in ascending tag order. Known tagged fields are
 * written when they differ from their default; unknown ones are kept in `_unknownTaggedFields`.
 *
 * Decoding never reads past the buffer: every failure is a ProtocolError naming the message, version,
 * field path and byte position. `bytes` and `records` values are views into the input buffer.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';
import {
  inVersionRange,
  ZERO_UUID,
  type FieldSpec,
  type FieldType,
  type InputOf,
  type MessageSpec,
  type StructSpec,
  type UnknownTaggedField,
  type ValueOf,
} from './message-spec.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';

export { Reader } from './reader.ts';
export { Writer } from './writer.ts';

const enum Kind {
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
interface CompiledType {
  kind: Kind;
  /** Element type of an array. */
  element: CompiledType | null;
  /** Plan of a struct (or of an array's struct elements). */
  plan: Plan | null;
}

interface CompiledField {
  name: string;
  type: CompiledType;
  nullable: boolean;
  /** 0 = regular, 1 = absent in this version (default), 2 = tagged. */
  mode: 0 | 1 | 2;
  tag: number;
  makeDefault: () => unknown;
}

/** A struct compiled for one version. */
interface Plan {
  flexible: boolean;
  /** Every field in description order. */
  all: CompiledField[];
  /** Tagged fields of this version in ascending tag order. */
  tagged: CompiledField[];
  taggedByTag: Map<number, CompiledField>;
}

const EMPTY_BUFFER = Buffer.alloc(0);
const plans = new WeakMap<StructSpec, Plan[]>();

function compilePlan(spec: StructSpec, version: number, flexible: boolean): Plan {
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

function isDefault(f: CompiledField, value: unknown): boolean {
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

// ---------------------------------------------------------------------------------------------- decode

function decodeValue(r: Reader, type: CompiledType, nullable: boolean, flexible: boolean): unknown {
  switch (type.kind) {
    case Kind.Int8:
      return r.int8();
    case Kind.Int16:
      return r.int16();
    case Kind.Int32:
      return r.int32();
    case Kind.Int64:
      return r.int64();
    case Kind.Uint16:
      return r.uint16();
    case Kind.Float64:
      return r.float64();
    case Kind.Bool:
      return r.bool();
    case Kind.Uuid:
      return r.uuid();
    case Kind.String: {
      const s = flexible ? r.compactString() : r.string();
      if (s === null && !nullable) throw r.fault('null for a non-nullable string', r.pos);
      return s;
    }
    case Kind.Bytes: {
      const b = flexible ? r.compactBytes() : r.bytes();
      if (b === null && !nullable) throw r.fault('null for non-nullable bytes', r.pos);
      return b;
    }
    case Kind.Records:
      return flexible ? r.compactBytes() : r.bytes();
    case Kind.Array: {
      const start = r.pos;
      const n = flexible ? r.compactArrayLength() : r.arrayLength();
      if (n < 0) {
        if (!nullable) throw r.fault('null for a non-nullable array', start);
        return null;
      }
      const element = type.element!;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        try {
          out[i] = decodeValue(r, element, false, flexible);
        } catch (e) {
          throw within(e, `[${i}]`);
        }
      }
      return out;
    }
    case Kind.Struct: {
      if (nullable) {
        const start = r.pos;
        const marker = r.int8();
        if (marker < 0) return null;
        if (marker !== 1) throw r.fault(`struct presence marker ${marker} (expected -1 or 1)`, start);
      }
      return decodeStruct(r, type.plan!);
    }
  }
}

function decodeStruct(r: Reader, plan: Plan): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const fields = plan.all;
  const flexible = plan.flexible;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.mode !== 0) {
      obj[f.name] = f.makeDefault();
      continue;
    }
    try {
      obj[f.name] = decodeValue(r, f.type, f.nullable, flexible);
    } catch (e) {
      throw within(e, f.name);
    }
  }
  if (flexible) decodeTagBuffer(r, plan, obj);
  return obj;
}

function decodeTagBuffer(r: Reader, plan: Plan, obj: Record<string, unknown>): void {
  let count: number;
  try {
    count = r.uvarint();
  } catch (e) {
    throw within(e, '_tagBuffer');
  }
  let lastTag = -1;
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    let tag: number;
    let size: number;
    try {
      tag = r.uvarint();
      size = r.uvarint();
      if (tag <= lastTag) throw r.fault(`tag ${tag} after tag ${lastTag} (tags must ascend)`, start);
      r.need(size, start);
    } catch (e) {
      throw within(e, '_tagBuffer');
    }
    lastTag = tag;
    const end = r.pos + size;
    const known = plan.taggedByTag.get(tag);
    if (known === undefined) {
      let unknown = obj['_unknownTaggedFields'] as UnknownTaggedField[] | undefined;
      if (unknown === undefined) {
        unknown = [];
        obj['_unknownTaggedFields'] = unknown;
      }
      unknown.push({ tag, data: r.buf.subarray(r.pos, end) });
      r.pos = end;
      continue;
    }
    const outerEnd = r.end;
    r.end = end;
    try {
      obj[known.name] = decodeValue(r, known.type, known.nullable, true);
      if (r.pos !== end) throw r.fault(`tagged field ${tag} has ${end - r.pos} bytes left over`, r.pos);
    } catch (e) {
      throw within(e, known.name);
    } finally {
      r.end = outerEnd;
    }
  }
}

function within(e: unknown, segment: string): unknown {
  if (e instanceof ProtocolError) return e.locatedAt({ fieldPath: segment });
  // Buffer writes throw RangeError for out-of-range numbers; wrong JS types surface as TypeError.
  if (e instanceof RangeError || e instanceof TypeError) {
    return new ProtocolError(e.message, { fieldPath: segment }, { cause: e });
  }
  return e;
}

/**
 * Decodes one message of `spec` at `version` from `buf` starting at `offset`.
 *
 * @returns the value (every field of the description, absent ones set to their defaults) and the number
 *   of bytes read; bytes after the message are left to the caller
 * @throws ProtocolError on truncated or invalid input (never reads past `buf`)
 * @example
 * const { value } = decodeMessage(Metadata.request, 9, body);
 */
export function decodeMessage<S extends MessageSpec>(
  spec: S,
  version: number,
  buf: Buffer,
  offset = 0,
): { value: ValueOf<S>; bytesRead: number } {
  const r = new Reader(buf, offset, buf.length);
  try {
    const value = decodeBody(r, spec, version);
    return { value: value as ValueOf<S>, bytesRead: r.pos - offset };
  } catch (e) {
    throw locate(e, spec, version);
  }
}

/**
 * Decodes one message of `spec` from a Reader (the request header reader continues with the body).
 *
 * @throws ProtocolError naming the field path and byte position (the message is added by the caller)
 */
export function decodeBody(r: Reader, spec: StructSpec, version: number, flexible?: boolean): Record<string, unknown> {
  const isFlexible = flexible ?? ('flexibleVersions' in spec ? inVersionRange((spec as MessageSpec).flexibleVersions, version) : false);
  return decodeStruct(r, compilePlan(spec, version, isFlexible));
}

function locate(e: unknown, spec: MessageSpec, version: number): unknown {
  const message = `${spec.name}${spec.kind === 'request' ? 'Request' : 'Response'}`;
  if (e instanceof ProtocolError) return e.locatedAt({ message, apiKey: spec.apiKey, apiVersion: version });
  if (e instanceof RangeError || e instanceof TypeError) {
    return new ProtocolError(e.message, { message, apiKey: spec.apiKey, apiVersion: version }, { cause: e });
  }
  return e;
}

// ---------------------------------------------------------------------------------------------- encode

function encodeValue(w: Writer, type: CompiledType, nullable: boolean, flexible: boolean, value: unknown): void {
  switch (type.kind) {
    case Kind.Int8:
      w.int8(value as number);
      return;
    case Kind.Int16:
      w.int16(value as number);
      return;
    case Kind.Int32:
      w.int32(value as number);
      return;
    case Kind.Int64:
      w.int64(value as number);
      return;
    case Kind.Uint16:
      w.uint16(value as number);
      return;
    case Kind.Float64:
      w.float64(value as number);
      return;
    case Kind.Bool:
      w.int8(value ? 1 : 0);
      return;
    case Kind.Uuid:
      w.uuid(value as string);
      return;
    case Kind.String:
      if (value === null && !nullable) throw new ProtocolError('null for a non-nullable string');
      if (flexible) w.compactString(value as string | null);
      else w.string(value as string | null);
      return;
    case Kind.Bytes:
    case Kind.Records:
      if (value === null && !nullable && type.kind === Kind.Bytes) {
        throw new ProtocolError('null for non-nullable bytes');
      }
      if (flexible) w.compactBytes(value as Uint8Array | null);
      else w.bytes(value as Uint8Array | null);
      return;
    case Kind.Array: {
      if (value === null) {
        if (!nullable) throw new ProtocolError('null for a non-nullable array');
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const items = value as readonly unknown[];
      if (flexible) w.uvarint(items.length + 1);
      else w.int32(items.length);
      const element = type.element!;
      for (let i = 0; i < items.length; i++) {
        try {
          encodeValue(w, element, false, flexible, items[i]);
        } catch (e) {
          throw within(e, `[${i}]`);
        }
      }
      return;
    }
    case Kind.Struct:
      if (nullable) {
        if (value === null) {
          w.int8(-1);
          return;
        }
        w.int8(1);
      } else if (value === null) {
        throw new ProtocolError('null for a non-nullable struct');
      }
      encodeStruct(w, type.plan!, (value ?? {}) as Record<string, unknown>);
      return;
  }
}

function encodeStruct(w: Writer, plan: Plan, obj: Record<string, unknown>): void {
  const fields = plan.all;
  const flexible = plan.flexible;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.mode !== 0) continue;
    let value = obj[f.name];
    if (value === undefined) value = f.makeDefault();
    try {
      encodeValue(w, f.type, f.nullable, flexible, value);
    } catch (e) {
      throw within(e, f.name);
    }
  }
  if (flexible) encodeTagBuffer(w, plan, obj);
}

function encodeTagBuffer(w: Writer, plan: Plan, obj: Record<string, unknown>): void {
  const unknown = obj['_unknownTaggedFields'] as readonly UnknownTaggedField[] | undefined;
  const known: CompiledField[] = [];
  for (const f of plan.tagged) {
    const value = obj[f.name];
    if (value !== undefined && !isDefault(f, value)) known.push(f);
  }
  const unknownCount = unknown === undefined ? 0 : unknown.length;
  w.uvarint(known.length + unknownCount);
  if (known.length === 0 && unknownCount === 0) return;
  let k = 0;
  let u = 0;
  const extra = unknownCount === 0 ? [] : [...unknown!].sort((a, b) => a.tag - b.tag);
  while (k < known.length || u < extra.length) {
    const nextKnown = known[k];
    const nextUnknown = extra[u];
    if (nextKnown !== undefined && (nextUnknown === undefined || nextKnown.tag < nextUnknown.tag)) {
      k++;
      const sub = new Writer(64);
      try {
        encodeValue(sub, nextKnown.type, nextKnown.nullable, true, obj[nextKnown.name]);
      } catch (e) {
        throw within(e, nextKnown.name);
      }
      const bytes = sub.finish();
      w.uvarint(nextKnown.tag);
      w.uvarint(bytes.length);
      w.raw(bytes);
    } else {
      u++;
      if (nextKnown !== undefined && nextKnown.tag === nextUnknown!.tag) {
        throw new ProtocolError(`tag ${nextKnown.tag} is both a known field and in _unknownTaggedFields`);
      }
      w.uvarint(nextUnknown!.tag);
      w.uvarint(nextUnknown!.data.length);
      w.raw(nextUnknown!.data);
    }
  }
}

/**
 * Encodes `value` as one message of `spec` at `version`. Fields missing from `value` are written with
 * their defaults; fields the version does not have are skipped.
 *
 * @throws ProtocolError when a value cannot be encoded (null in a non-nullable field, a number out of
 *   range, a string longer than 32767 bytes in a classic version), naming the field path
 * @example
 * const body = encodeMessage(Metadata.response, 1, { brokers: [{ nodeId: 0, host: 'localhost', port: 9092 }], topics: [] });
 */
export function encodeMessage<S extends MessageSpec>(spec: S, version: number, value: InputOf<S>, writer?: Writer): Buffer {
  const w = writer ?? new Writer(256);
  const start = w.pos;
  try {
    encodeBody(w, spec, version, value as Record<string, unknown>);
  } catch (e) {
    throw locate(e, spec, version);
  }
  return w.buf.subarray(start, w.pos);
}

/** Encodes a struct description at `version` into a Writer (used for headers and nested formats). */
export function encodeBody(w: Writer, spec: StructSpec, version: number, value: Record<string, unknown>, flexible?: boolean): void {
  const isFlexible = flexible ?? ('flexibleVersions' in spec ? inVersionRange((spec as MessageSpec).flexibleVersions, version) : false);
  encodeStruct(w, compilePlan(spec, version, isFlexible), value);
}

/** Whether `version` of the message uses the flexible (KIP-482) encodings. */
export function isFlexibleVersion(spec: MessageSpec, version: number): boolean {
  return inVersionRange(spec.flexibleVersions, version);
}
