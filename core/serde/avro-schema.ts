/**
 * Avro schemas as the serdes and the schema registry take them: a JSON string, a schema object, or an
 * avsc Type, turned into one avsc Type and one canonical text.
 */
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { InvalidArgumentError } from '../errors/log-errors.ts';
import { reasonOf } from './serde-failures.ts';

/**
 * An Avro schema: its JSON text, the parsed JSON (`{ type: 'record', ... }`, `'string'`, also `as const`
 * objects), or an avsc Type. Checked when parsed, not by the type system.
 */
export type AvroSchemaInput = string | Type | object;

/**
 * The avsc Type of a schema. A string is JSON text when it starts with `{`, `[` or `"`, else a
 * primitive or named type (`'string'`, `'long'`).
 *
 * @throws InvalidArgumentError when the schema is not valid Avro
 * @example
 * const type = parseAvroSchema('{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}');
 */
export function parseAvroSchema(input: AvroSchemaInput): Type {
  if (avro.Type.isType(input)) return input as Type;
  try {
    let schema: Schema = input as Schema;
    if (typeof input === 'string') {
      const text = input.trim();
      if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) schema = JSON.parse(text) as Schema;
    }
    return avro.Type.forSchema(schema);
  } catch (error) {
    throw new InvalidArgumentError(`Invalid Avro schema: ${reasonOf(error)}`);
  }
}

/**
 * The canonical JSON text of a type: what the registry stores and compares, so two spellings of the
 * same schema (key order, namespace written apart or in the name) are one schema. Defaults, aliases and
 * other attributes are kept, since they matter for schema resolution.
 *
 * @example
 * canonicalAvroSchema(parseAvroSchema('"string"')); // '"string"'
 */
export function canonicalAvroSchema(type: Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}

/** A short name for a type in serde names and messages: the record's full name, else the type name. */
export function avroTypeLabel(type: Type): string {
  return type.name ?? type.typeName;
}
