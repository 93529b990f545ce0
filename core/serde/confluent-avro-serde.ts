/**
 * Avro in Confluent's wire format, with the writer schema's id from a schema registry.
 *
 * Wire format (what Confluent's KafkaAvroSerializer writes):
 *   byte 0      magic byte, always 0
 *   bytes 1..4  schema id, 32-bit big-endian
 *   bytes 5..   Avro binary encoding of the value with that schema
 */
import type { Resolver, Type } from 'avsc';
import type { Serde } from './serde.ts';
import type { SchemaRegistry } from './schema-registry.ts';
import { avroTypeLabel, canonicalAvroSchema, parseAvroSchema, type AvroSchemaInput } from './avro-schema.ts';
import { deserializeError, reasonOf, serializeError } from './serde-failures.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';

/**
 * How a subject is named (Confluent's `subject.name.strategy`): `topic` is TopicNameStrategy
 * (`<topic>-key` / `<topic>-value`), `record` is RecordNameStrategy (the record's full name),
 * `topic-record` is TopicRecordNameStrategy (`<topic>-<full name>`), or a function.
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record' | ((topic: string, isKey: boolean, type: Type) => string);

/** Options of {@link ConfluentAvroSerde} (and `Serdes.avroRegistry<T>(registry, options)`). */
export interface ConfluentAvroSerdeOptions {
  /** The schema values are written with, and read into (older writer schemas are resolved into it). */
  schema: AvroSchemaInput;
  /** Whether this serde is for keys (subject `<topic>-key`). Default false. */
  isKey?: boolean;
  /** Default `topic` (TopicNameStrategy). */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Register the schema on {@link ConfluentAvroSerde.prepare}; false = it must already be registered. Default true. */
  autoRegister?: boolean;
}

const HEADER = 5;
const MAGIC = 0;
const NO_RESOLVER = null;

/**
 * Avro with a schema registry, in Confluent's wire format (magic byte 0, 4-byte big-endian schema id,
 * Avro binary), so records interoperate with Confluent's serializers.
 *
 * Writing: the schema is registered (or looked up) under the subject of the topic — asynchronously, in
 * {@link ConfluentAvroSerde.prepare}, which the runtime and the test driver call for every topic the
 * serde is used on before the first record; `serialize` then only reads a cached id. A registry with
 * synchronous look-ups (the embedded and in-memory registries) also lets `serialize` find a schema that
 * is already registered without `prepare`. A topic whose schema is neither prepared nor registered is a
 * SerdeError.
 *
 * Reading: the id is read from the bytes, the writer schema fetched from the registry once per id
 * (synchronously, `getByIdSync`), and resolved into this serde's schema with avsc's resolver: a field
 * added with a default reads old records with the default. An id the registry does not know, a writer
 * schema this schema cannot read, a wrong magic byte or bytes that do not decode raise a SerdeError.
 *
 * @example
 * const registry = await EmbeddedSchemaRegistry.open(log);
 * const orders = new ConfluentAvroSerde<Order>(registry, { schema: orderSchema });
 * await orders.prepare('orders');                 // registers subject "orders-value"
 * const bytes = orders.serialize('orders', { id: 'a', amount: 3 }); // <Buffer 00 00 00 00 01 ...>
 */
export class ConfluentAvroSerde<T> implements Serde<T> {
  readonly name: string;
  /** The reader (and writer) schema. */
  readonly type: Type;
  private readonly canonical: string;
  private readonly isKey: boolean;
  private readonly strategy: SubjectNameStrategy;
  private readonly autoRegister: boolean;
  /** topic -> id of the writer schema. */
  private readonly writerIds = new Map<string, number>();
  /** writer schema id -> resolver into `type` (null: the same schema, no resolver needed). */
  private readonly readers = new Map<number, Resolver | null>();
  private scratch = Buffer.allocUnsafe(1024);

  constructor(
    private readonly registry: SchemaRegistry,
    options: ConfluentAvroSerdeOptions,
  ) {
    if (registry === null || typeof registry !== 'object') throw new InvalidArgumentError('ConfluentAvroSerde needs a schema registry');
    this.type = parseAvroSchema(options.schema);
    this.canonical = canonicalAvroSchema(this.type);
    this.isKey = options.isKey ?? false;
    this.strategy = options.subjectNameStrategy ?? 'topic';
    this.autoRegister = options.autoRegister ?? true;
    this.name = `avro-registry(${avroTypeLabel(this.type)})`;
    if ((this.strategy === 'record' || this.strategy === 'topic-record') && this.type.name === undefined) {
      throw new InvalidArgumentError(`Subject name strategy "${this.strategy}" needs a named schema (record, enum or fixed)`);
    }
  }

  /** The subject of `topic` under this serde's naming strategy. */
  subjectFor(topic: string, isKey: boolean = this.isKey): string {
    const strategy = this.strategy;
    if (strategy === 'topic') return `${topic}-${isKey ? 'key' : 'value'}`;
    if (strategy === 'record') return this.type.name!;
    if (strategy === 'topic-record') return `${topic}-${this.type.name!}`;
    return strategy(topic, isKey, this.type);
  }

  /**
   * Registers (autoRegister) or looks up this serde's schema under the subject of `topic`, and caches
   * its id for `serialize`. Idempotent; call it before the first record of each topic.
   *
   * @returns the schema id
   * @throws IncompatibleSchemaError when the registry refuses the schema; SchemaNotFoundError when
   * autoRegister is false and the schema is not registered
   */
  async prepare(topic: string, isKey: boolean = this.isKey): Promise<number> {
    const subject = this.subjectFor(topic, isKey);
    const id = this.autoRegister
      ? await this.registry.register(subject, this.canonical)
      : (await this.registry.lookup(subject, this.canonical)).id;
    this.writerIds.set(topic, id);
    this.readers.set(id, NO_RESOLVER);
    return id;
  }

  serialize(topic: string, data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    let id = this.writerIds.get(topic);
    if (id === undefined) id = this.writerIdSync(topic);
    let scratch = this.scratch;
    scratch[0] = MAGIC;
    scratch.writeInt32BE(id, 1);
    let end: number;
    try {
      end = this.type.encode(data, scratch, HEADER);
      if (end < 0) {
        scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
        this.scratch.copy(scratch, 0, 0, HEADER);
        this.scratch = scratch;
        end = this.type.encode(data, scratch, HEADER);
      }
    } catch (error) {
      throw serializeError(topic, this.name, reasonOf(error), error);
    }
    const out = Buffer.allocUnsafe(end);
    scratch.copy(out, 0, 0, end);
    return out;
  }

  deserialize(topic: string, data: Buffer | null): T | null {
    if (data === null || data === undefined) return null;
    if (data.length < HEADER) throw deserializeError(topic, this.name, `expected at least 5 bytes (magic byte and schema id), got ${data.length}`);
    if (data[0] !== MAGIC) throw deserializeError(topic, this.name, `unknown magic byte ${data[0]} (expected 0)`);
    const id = data.readInt32BE(1);
    let resolver = this.readers.get(id);
    if (resolver === undefined) resolver = this.readerFor(topic, id);
    try {
      return this.type.fromBuffer(data.subarray(HEADER), resolver === NO_RESOLVER ? undefined : resolver) as T;
    } catch (error) {
      throw deserializeError(topic, this.name, `schema id ${id}: ${reasonOf(error)}`, error);
    }
  }

  private writerIdSync(topic: string): number {
    const id = this.registry.lookupIdSync?.(this.subjectFor(topic), this.canonical);
    if (id === undefined) {
      throw serializeError(topic, this.name, `the schema is not registered under subject "${this.subjectFor(topic)}": await serde.prepare('${topic}') before the first record`);
    }
    this.writerIds.set(topic, id);
    return id;
  }

  private readerFor(topic: string, id: number): Resolver | null {
    const text = this.registry.getByIdSync?.(id);
    if (text === undefined) {
      throw deserializeError(topic, this.name, `schema id ${id} is not known to the registry`);
    }
    let resolver: Resolver | null = NO_RESOLVER;
    if (text !== this.canonical) {
      try {
        resolver = this.type.createResolver(parseAvroSchema(text));
      } catch (error) {
        throw deserializeError(topic, this.name, `cannot read data written with schema id ${id}: ${reasonOf(error)}`, error);
      }
    }
    this.readers.set(id, resolver);
    return resolver;
  }
}
