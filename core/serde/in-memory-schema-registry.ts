/**
 * A schema registry that lives only in this process: for tests and the TopologyTestDriver, as
 * Confluent's `mock://` registry.
 */
import type { AvroSchemaInput } from './avro-schema.ts';
import { canonicalAvroSchema, parseAvroSchema } from './avro-schema.ts';
import { assertCompatibilityLevel, type CompatibilityLevel, type CompatibilityResult } from './avro-compatibility.ts';
import { SchemaCatalog } from './schema-catalog.ts';
import type { RegisteredSchema, SchemaRegistry } from './schema-registry.ts';
import { SchemaNotFoundError } from '../errors/schema-registry-errors.ts';

/** Options of {@link InMemorySchemaRegistry}. */
export interface InMemorySchemaRegistryOptions {
  /** The default compatibility level. Default `BACKWARD` (Confluent's default). */
  compatibility?: CompatibilityLevel;
}

/**
 * A {@link SchemaRegistry} held in memory: same ids, versions and compatibility rules as the embedded
 * registry, nothing persisted.
 *
 * @example
 * const registry = new InMemorySchemaRegistry();
 * const serde = Serdes.avroRegistry<Order>(registry, { schema: orderSchema });
 */
export class InMemorySchemaRegistry implements SchemaRegistry {
  private readonly catalog: SchemaCatalog;

  constructor(options: InMemorySchemaRegistryOptions = {}) {
    const level = options.compatibility ?? 'BACKWARD';
    assertCompatibilityLevel(level);
    this.catalog = new SchemaCatalog(level);
  }

  async register(subject: string, schema: AvroSchemaInput): Promise<number> {
    const plan = this.catalog.plan(subject, schema);
    if (plan.kind === 'new') this.catalog.apply(plan.entry);
    return plan.entry.id;
  }

  async lookup(subject: string, schema: AvroSchemaInput): Promise<RegisteredSchema> {
    const found = this.catalog.find(subject, canonicalAvroSchema(parseAvroSchema(schema)));
    if (found === undefined) throw new SchemaNotFoundError(`The schema under subject "${subject}"`);
    return found;
  }

  async getById(id: number): Promise<string> {
    const schema = this.catalog.schemaById(id);
    if (schema === undefined) throw new SchemaNotFoundError(`Schema id ${id}`);
    return schema;
  }

  async getLatest(subject: string): Promise<RegisteredSchema> {
    return this.catalog.latest(subject);
  }

  async getVersion(subject: string, version: number): Promise<RegisteredSchema> {
    return this.catalog.version(subject, version);
  }

  async subjects(): Promise<string[]> {
    return this.catalog.subjects();
  }

  async checkCompatibility(subject: string, schema: AvroSchemaInput): Promise<CompatibilityResult> {
    return this.catalog.check(subject, schema);
  }

  async getCompatibility(subject: string): Promise<CompatibilityLevel> {
    return this.catalog.level(subject);
  }

  async setCompatibility(subject: string | null, level: CompatibilityLevel): Promise<void> {
    assertCompatibilityLevel(level);
    this.catalog.applyLevel(subject, level);
  }

  getByIdSync(id: number): string | undefined {
    return this.catalog.schemaById(id);
  }

  lookupIdSync(subject: string, canonicalSchema: string): number | undefined {
    return this.catalog.find(subject, canonicalSchema)?.id;
  }
}
