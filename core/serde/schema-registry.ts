/**
 * The schema registry abstraction: subjects with numbered schema versions and globally unique schema
 * ids, as Confluent Schema Registry keeps them. The Confluent Avro serde registers its writer schema
 * here and looks up the writer schema of each id it reads.
 */
import type { AvroSchemaInput } from './avro-schema.ts';
import type { CompatibilityLevel, CompatibilityResult } from './avro-compatibility.ts';

/** One version of a subject: the subject, its version number (1, 2, ...), the global id and the schema text. */
export interface RegisteredSchema {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** Canonical JSON text of the schema (see `canonicalAvroSchema`). */
  readonly schema: string;
}

/**
 * A schema registry. Calls are asynchronous (a registry may live behind a network); the optional
 * `*Sync` look-ups answer from what the registry already knows, so the per-record path of a serde can
 * use them on a cache miss without awaiting.
 *
 * @example
 * const registry = await EmbeddedSchemaRegistry.open(log);
 * const id = await registry.register('orders-value', orderSchemaV1);
 * (await registry.getLatest('orders-value')).version; // 1
 */
export interface SchemaRegistry {
  /**
   * Registers `schema` under `subject` and returns its id: the existing id when the subject already has
   * this schema; an existing id when the same schema is registered under another subject; a new id
   * otherwise. A new version is checked against the subject's compatibility level first.
   * @throws IncompatibleSchemaError naming the subject and the reasons; InvalidArgumentError for a bad schema
   */
  register(subject: string, schema: AvroSchemaInput): Promise<number>;
  /**
   * The version of `subject` that has exactly this schema.
   * @throws SchemaNotFoundError when the subject does not have it
   */
  lookup(subject: string, schema: AvroSchemaInput): Promise<RegisteredSchema>;
  /**
   * The schema text of a global id.
   * @throws SchemaNotFoundError
   */
  getById(id: number): Promise<string>;
  /**
   * The latest version of a subject.
   * @throws SchemaNotFoundError when the subject has no version
   */
  getLatest(subject: string): Promise<RegisteredSchema>;
  /**
   * One version of a subject.
   * @throws SchemaNotFoundError
   */
  getVersion(subject: string, version: number): Promise<RegisteredSchema>;
  /** Every subject with at least one version, sorted. */
  subjects(): Promise<string[]>;
  /** Whether `schema` could be registered under `subject` now, and if not, why. Registers nothing. */
  checkCompatibility(subject: string, schema: AvroSchemaInput): Promise<CompatibilityResult>;
  /** The compatibility level of a subject (its own, else the registry's default). */
  getCompatibility(subject: string): Promise<CompatibilityLevel>;
  /** Sets the level of one subject, or the registry's default when `subject` is null. */
  setCompatibility(subject: string | null, level: CompatibilityLevel): Promise<void>;
  /** The schema text of an id, if this registry already knows it (no waiting). */
  getByIdSync?(id: number): string | undefined;
  /** The id of `canonicalSchema` under `subject`, if this registry already knows it (no waiting). */
  lookupIdSync?(subject: string, canonicalSchema: string): number | undefined;
}
