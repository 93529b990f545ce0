/**
 * `Serdes`: the built-in serdes by name, as Kafka Streams' `Serdes` class offers them.
 */
import type { Serde } from './serde.ts';
import { StringSerde } from './string-serde.ts';
import { JsonSerde, type JsonSerdeOptions } from './json-serde.ts';
import { Int32Serde } from './int32-serde.ts';
import { Int64Serde } from './int64-serde.ts';
import { Int64BigSerde } from './int64-big-serde.ts';
import { Float64Serde } from './float64-serde.ts';
import { BytesSerde } from './bytes-serde.ts';
import { UuidSerde } from './uuid-serde.ts';
import { VoidSerde } from './void-serde.ts';
import { AvroSerde, type AvroSerdeOptions } from './avro-serde.ts';
import { ConfluentAvroSerde, type ConfluentAvroSerdeOptions } from './confluent-avro-serde.ts';
import type { AvroSchemaInput } from './avro-schema.ts';
import type { SchemaRegistry } from './schema-registry.ts';

const STRING = new StringSerde();
const INT32 = new Int32Serde();
const INT64 = new Int64Serde();
const INT64_BIG = new Int64BigSerde();
const FLOAT64 = new Float64Serde();
const BYTES = new BytesSerde();
const UUID = new UuidSerde();
const VOID = new VoidSerde();
const JSON_ANY = new JsonSerde<unknown>();

/**
 * Factories for the built-in serdes. Every serde maps `null` to `null` both ways; every failure is a
 * SerdeError naming the topic (the runtime adds partition and offset). Stateless serdes are shared
 * instances.
 *
 * @example
 * builder.stream<string, Order>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() })
 *   .mapValues((o) => o.amount)
 *   .to('amounts', { valueSerde: Serdes.float64() });
 */
export const Serdes = {
  /** UTF-8 strings (Kafka's StringSerde). */
  string(): Serde<string> {
    return STRING;
  },
  /**
   * JSON as UTF-8 text, typed by the caller; `validate` checks parsed values, `reviver`/`replacer` go
   * to JSON.parse/stringify. Bad JSON or a failed validation is a SerdeError.
   */
  json<T>(options?: JsonSerdeOptions<T>): Serde<T> {
    return options === undefined ? (JSON_ANY as Serde<T>) : new JsonSerde<T>(options);
  },
  /** 32-bit signed integers, 4 bytes big-endian (Kafka's IntegerSerde). */
  int32(): Serde<number> {
    return INT32;
  },
  /**
   * 64-bit signed integers, 8 bytes big-endian (Kafka's LongSerde), as `number`: exact and accepted
   * only within ±(2^53 - 1), a SerdeError beyond. Use {@link Serdes.int64Big} for the full range.
   */
  int64(): Serde<number> {
    return INT64;
  },
  /** 64-bit signed integers, 8 bytes big-endian (Kafka's LongSerde), as `bigint` over the full range. */
  int64Big(): Serde<bigint> {
    return INT64_BIG;
  },
  /** IEEE 754 doubles, 8 bytes big-endian (Kafka's DoubleSerde). */
  float64(): Serde<number> {
    return FLOAT64;
  },
  /** Raw bytes, passed through as Buffers without copying (Kafka's BytesSerde / ByteArraySerde). */
  bytes(): Serde<Buffer> {
    return BYTES;
  },
  /** UUIDs as their 36-character string form in UTF-8 (Kafka's UUIDSerde; not the 16-byte binary form). */
  uuid(): Serde<string> {
    return UUID;
  },
  /** Always null (Kafka's VoidSerde): for keys or values that carry nothing. */
  void(): Serde<null> {
    return VOID;
  },
  /** Plain Avro binary with a schema both sides know (no schema id in the bytes). */
  avro<T>(schema: AvroSchemaInput, options?: AvroSerdeOptions): AvroSerde<T> {
    return new AvroSerde<T>(schema, options);
  },
  /**
   * Avro in Confluent's wire format (magic 0, 4-byte schema id) with a schema registry: registers the
   * schema under `<topic>-value` (or `-key`) in `prepare`, and resolves older writer schemas into
   * `options.schema` when reading.
   */
  avroRegistry<T>(registry: SchemaRegistry, options: ConfluentAvroSerdeOptions): ConfluentAvroSerde<T> {
    return new ConfluentAvroSerde<T>(registry, options);
  },
} as const;
