/**
 * Avro binary with a schema known to both sides (no schema id in the bytes).
 */
import type { Resolver, Type } from 'avsc';
import type { Serde } from './serde.ts';
import { avroTypeLabel, parseAvroSchema, type AvroSchemaInput } from './avro-schema.ts';
import { deserializeError, reasonOf, serializeError } from './serde-failures.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';

/** Options of {@link AvroSerde} (and `Serdes.avro<T>(schema, options)`). */
export interface AvroSerdeOptions {
  /**
   * The schema the bytes were written with, when it differs from the (reader) schema: reads resolve
   * from it into the reader schema (added fields take their defaults). Writes always use the reader
   * schema, so give this only to a serde that reads old data.
   */
  writerSchema?: AvroSchemaInput;
}

/**
 * Plain Avro binary encoding (avsc's `encode` into a reused buffer / `fromBuffer`), with no header: both sides must know
 * the schema. For schemas that change over time use the Confluent wire format with a registry
 * (`Serdes.avroRegistry`). Values that do not match the schema, and bytes that do not decode (truncated,
 * trailing garbage), raise a SerdeError. Decoded records are instances of avsc's generated record class.
 *
 * @example
 * const orders = new AvroSerde<{ id: string }>({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] });
 * orders.deserialize('orders', orders.serialize('orders', { id: 'a' })); // { id: 'a' }
 */
export class AvroSerde<T> implements Serde<T> {
  readonly name: string;
  /** The schema values are written and read with. */
  readonly type: Type;
  private readonly resolver: Resolver | undefined;
  /** Values are encoded here first (avsc's encode), then copied out at their exact size. */
  private scratch = Buffer.allocUnsafe(1024);

  constructor(schema: AvroSchemaInput, options: AvroSerdeOptions = {}) {
    this.type = parseAvroSchema(schema);
    this.name = `avro(${avroTypeLabel(this.type)})`;
    if (options.writerSchema !== undefined) {
      const writer = parseAvroSchema(options.writerSchema);
      try {
        this.resolver = this.type.createResolver(writer);
      } catch (error) {
        throw new InvalidArgumentError(`${this.name} cannot read data written with the given writer schema: ${reasonOf(error)}`);
      }
    }
  }

  serialize(topic: string, data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    let scratch = this.scratch;
    let end: number;
    try {
      end = this.type.encode(data, scratch, 0);
      if (end < 0) {
        scratch = this.scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
        end = this.type.encode(data, scratch, 0);
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
    try {
      return this.type.fromBuffer(data, this.resolver) as T;
    } catch (error) {
      throw deserializeError(topic, this.name, reasonOf(error), error);
    }
  }
}
