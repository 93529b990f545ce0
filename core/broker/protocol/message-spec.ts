/**
 * The language in which every Kafka protocol message is described once, as data: fields with a type,
 * the versions they exist in, the versions in which they may be null, and (in flexible versions,
 * KIP-482) whether they travel as tagged fields. The one codec engine (codec.ts) reads these
 * descriptions; adding a version is describing fields, not writing code.
 *
 * JS shape of a decoded message: field names in camelCase (`topics`, `partitionIndex`), int64 as a
 * number (exact to 2^53), bytes and records as `Buffer | null` (views into the frame, not copies),
 * uuid as a 36-character string, arrays as JS arrays, structs as plain objects. Tagged fields the
 * description does not know are kept in `_unknownTaggedFields` and otherwise ignored.
 */

/** A range of versions in Kafka's notation: `'3+'`, `'3-7'`, `'5'`, or `'none'`. */
export type VersionRange = `${number}+` | `${number}-${number}` | `${number}` | 'none';

/** Scalar wire types. `records` is nullable bytes holding record batches. */
export type ScalarType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records';

/** The type of a field: a scalar, a nested struct, or an array of either. */
export type FieldType = ScalarType | { array: FieldType | StructSpec };

/** One field of a message or struct. */
export interface FieldSpec {
  /** camelCase name of the property in the JS shape. */
  name: string;
  type: FieldType | StructSpec;
  /** Versions in which the field exists; absent in a version, it decodes to its default. */
  versions: VersionRange;
  /** Versions in which the field may be null (strings, bytes, arrays, structs). */
  nullableVersions?: VersionRange;
  /** Versions in which the field is sent as a tagged field (must be flexible versions). */
  taggedVersions?: VersionRange;
  /** The tag number when `taggedVersions` is set. */
  tag?: number;
  /** Value when absent; otherwise 0, false, '', empty array, zero uuid, null for records. */
  default?: unknown;
  /** Whether the field may be dropped silently when a version does not have it (documentation only). */
  ignorable?: boolean;
}

/** A struct: an ordered list of fields (followed by a tag buffer in flexible versions). */
export interface StructSpec {
  fields: readonly FieldSpec[];
}

/** One request or response of one API, for all its versions. */
export interface MessageSpec extends StructSpec {
  apiKey: number;
  /** The API name without the Request/Response suffix (`Metadata`, `Produce`). */
  name: string;
  kind: 'request' | 'response';
  validVersions: VersionRange;
  /** Versions that use compact encodings and tag buffers (KIP-482). */
  flexibleVersions: VersionRange;
}

/** A parsed {@link VersionRange}: inclusive bounds, `max` = Infinity for open ranges, empty when min > max. */
export interface VersionBounds {
  readonly min: number;
  readonly max: number;
}

const NONE: VersionBounds = { min: 1, max: 0 };
const boundsCache = new Map<string, VersionBounds>();

/**
 * Parses a version range once (results are cached).
 *
 * @example
 * parseVersionRange('3-7'); // { min: 3, max: 7 }
 * parseVersionRange('9+');  // { min: 9, max: Infinity }
 */
export function parseVersionRange(range: VersionRange): VersionBounds {
  let bounds = boundsCache.get(range);
  if (bounds !== undefined) return bounds;
  if (range === 'none') {
    bounds = NONE;
  } else if (range.endsWith('+')) {
    bounds = { min: Number(range.slice(0, -1)), max: Infinity };
  } else {
    const dash = range.indexOf('-');
    bounds =
      dash < 0
        ? { min: Number(range), max: Number(range) }
        : { min: Number(range.slice(0, dash)), max: Number(range.slice(dash + 1)) };
  }
  boundsCache.set(range, bounds);
  return bounds;
}

/** Whether `version` lies in `range` (undefined = no version). */
export function inVersionRange(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  const b = parseVersionRange(range);
  return version >= b.min && version <= b.max;
}

/** Options of {@link field}: the optional parts of a {@link FieldSpec}, with short names. */
export interface FieldOptions {
  /** `nullableVersions`. */
  nullable?: VersionRange;
  /** `taggedVersions` and `tag`: `[tag, versions]`. */
  tagged?: readonly [number, VersionRange];
  default?: unknown;
  ignorable?: boolean;
}

/** A {@link FieldSpec} that keeps its name, type and nullability in its static type. */
export interface TypedField<N extends string, T extends FieldType | StructSpec, Nullable extends boolean>
  extends FieldSpec {
  name: N;
  type: T;
  /** Static marker only (never set at runtime). */
  readonly __nullable?: Nullable;
}

/**
 * Describes one field.
 *
 * @example
 * field('rack', 'string', '1+', { nullable: '1+', default: null })
 */
export function field<
  const N extends string,
  const T extends FieldType | StructSpec,
  const O extends FieldOptions = {},
>(name: N, type: T, versions: VersionRange, options?: O): TypedField<N, T, O extends { nullable: VersionRange } ? true : false> {
  const spec: FieldSpec = { name, type, versions };
  if (options !== undefined) {
    if (options.nullable !== undefined) spec.nullableVersions = options.nullable;
    if (options.tagged !== undefined) {
      spec.tag = options.tagged[0];
      spec.taggedVersions = options.tagged[1];
    }
    if (options.default !== undefined) spec.default = options.default;
    if (options.ignorable !== undefined) spec.ignorable = options.ignorable;
  }
  return spec as TypedField<N, T, O extends { nullable: VersionRange } ? true : false>;
}

/** Describes an array of `element`. */
export function array<const E extends FieldType | StructSpec>(element: E): { array: E } {
  return { array: element };
}

/** Describes a struct from its fields. */
export function struct<const F extends readonly FieldSpec[]>(...fields: F): { fields: F } {
  return { fields };
}

/** The header part of {@link api}: `[apiKey, name, validVersions, flexibleVersions]`. */
export type MessageHead = readonly [apiKey: number, name: string, validVersions: VersionRange, flexibleVersions: VersionRange];

/** A {@link MessageSpec} whose fields keep their static types. */
export interface TypedMessageSpec<F extends readonly FieldSpec[]> extends MessageSpec {
  fields: F;
}

/**
 * Describes a request and its response of one API.
 *
 * @example
 * export const Heartbeat = api([12, 'Heartbeat', '0-4', '4+'], [...requestFields], [...responseFields]);
 */
export function api<const Rq extends readonly FieldSpec[], const Rs extends readonly FieldSpec[]>(
  head: MessageHead,
  requestFields: Rq,
  responseFields: Rs,
): { request: TypedMessageSpec<Rq>; response: TypedMessageSpec<Rs> } {
  const [apiKey, name, validVersions, flexibleVersions] = head;
  return {
    request: { apiKey, name, kind: 'request', validVersions, flexibleVersions, fields: requestFields },
    response: { apiKey, name, kind: 'response', validVersions, flexibleVersions, fields: responseFields },
  };
}

interface ScalarValues {
  int8: number;
  int16: number;
  int32: number;
  int64: number;
  uint16: number;
  float64: number;
  bool: boolean;
  string: string;
  bytes: Buffer;
  uuid: string;
  records: Buffer | null;
}

/** The decoded JS value of a field type. */
export type TypeValue<T> = T extends ScalarType
  ? ScalarValues[T]
  : T extends { array: infer E }
    ? TypeValue<E>[]
    : T extends { fields: infer F extends readonly FieldSpec[] }
      ? StructValue<F>
      : unknown;

type FieldValue<K> = K extends { __nullable?: infer Nl; type: infer T }
  ? true extends Nl
    ? TypeValue<T> | null
    : TypeValue<T>
  : K extends { type: infer T }
    ? TypeValue<T> | null
    : unknown;

/** The decoded JS value of a struct: every field (absent ones hold their default). */
export type StructValue<F extends readonly FieldSpec[]> = {
  [K in F[number] as K['name']]: FieldValue<K>;
} & { _unknownTaggedFields?: UnknownTaggedField[] };

/** The decoded JS value of a message. */
export type ValueOf<S extends StructSpec> = TypeValue<S>;

type InputValue<T> = T extends ScalarType
  ? ScalarValues[T]
  : T extends { array: infer E }
    ? readonly InputValue<E>[]
    : T extends { fields: infer F extends readonly FieldSpec[] }
      ? StructInput<F>
      : unknown;

type FieldInput<K> = K extends { __nullable?: infer Nl; type: infer T }
  ? true extends Nl
    ? InputValue<T> | null
    : InputValue<T>
  : K extends { type: infer T }
    ? InputValue<T> | null
    : unknown;

/** What {@link encodeMessage} accepts for a struct: every field optional (missing = default). */
export type StructInput<F extends readonly FieldSpec[]> = {
  [K in F[number] as K['name']]?: FieldInput<K>;
} & { _unknownTaggedFields?: readonly UnknownTaggedField[] };

/** What the encoder accepts for a message: like {@link ValueOf}, with every field optional. */
export type InputOf<S extends StructSpec> = InputValue<S>;

/** An unknown tagged field kept on decode: its tag and raw bytes. */
export interface UnknownTaggedField {
  tag: number;
  data: Buffer;
}

/** The all-zero topic id (Kafka's `Uuid.ZERO_UUID`), the default of every uuid field. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
