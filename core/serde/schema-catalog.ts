/**
 * The state of a schema registry in memory: subjects, versions, ids and compatibility levels, and the
 * rules for a new registration. The registries keep one and differ only in where entries are stored.
 */
import type { Type } from 'avsc';
import { canonicalAvroSchema, parseAvroSchema, type AvroSchemaInput } from './avro-schema.ts';
import { checkAvroCompatibility, type CompatibilityLevel, type CompatibilityResult } from './avro-compatibility.ts';
import type { RegisteredSchema } from './schema-registry.ts';
import { IncompatibleSchemaError, SchemaNotFoundError } from '../errors/schema-registry-errors.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';

/** What a registration needs: an entry that already exists, or a new one to store. */
export type RegistrationPlan =
  | { readonly kind: 'existing'; readonly entry: RegisteredSchema }
  | { readonly kind: 'new'; readonly entry: RegisteredSchema };

/**
 * Subjects, versions and ids. Entries are applied in log order and the first writer wins: an entry for
 * a subject version or an id that already holds a different schema is ignored, so every reader of the
 * same log ends with the same catalog.
 *
 * @example
 * const catalog = new SchemaCatalog('BACKWARD');
 * const plan = catalog.plan('orders-value', schema);
 * if (plan.kind === 'new') catalog.apply(plan.entry);
 */
export class SchemaCatalog {
  private readonly versions = new Map<string, RegisteredSchema[]>();
  private readonly schemasById = new Map<number, string>();
  private readonly typesById = new Map<number, Type>();
  private readonly idsBySchema = new Map<string, number>();
  private readonly levels = new Map<string, CompatibilityLevel>();
  private defaultLevel: CompatibilityLevel;
  private maxId = 0;

  constructor(defaultLevel: CompatibilityLevel) {
    this.defaultLevel = defaultLevel;
  }

  /** Adds a stored entry; returns false when it conflicts with an earlier one (and is ignored). */
  apply(entry: RegisteredSchema): boolean {
    const known = this.schemasById.get(entry.id);
    if (known !== undefined && known !== entry.schema) return false;
    const list = this.versions.get(entry.subject) ?? [];
    const same = list.find((v) => v.version === entry.version);
    if (same !== undefined) return same.id === entry.id;
    if (list.some((v) => v.id === entry.id)) return false;
    list.push(entry);
    list.sort((a, b) => a.version - b.version);
    this.versions.set(entry.subject, list);
    this.schemasById.set(entry.id, entry.schema);
    if (!this.idsBySchema.has(entry.schema)) this.idsBySchema.set(entry.schema, entry.id);
    if (entry.id > this.maxId) this.maxId = entry.id;
    return true;
  }

  /** Sets the level of a subject, or the default when `subject` is null. */
  applyLevel(subject: string | null, level: CompatibilityLevel): void {
    if (subject === null) this.defaultLevel = level;
    else this.levels.set(subject, level);
  }

  /** The level that applies to `subject`. */
  level(subject: string): CompatibilityLevel {
    return this.levels.get(subject) ?? this.defaultLevel;
  }

  /**
   * What registering `schema` under `subject` takes: the existing entry, or a new entry (next version,
   * the id of an identical schema under another subject or the next id) that passed the compatibility check.
   * @throws IncompatibleSchemaError; InvalidArgumentError for an empty subject or a bad schema
   */
  plan(subject: string, schema: AvroSchemaInput): RegistrationPlan {
    checkSubject(subject);
    const type = parseAvroSchema(schema);
    const text = canonicalAvroSchema(type);
    const existing = this.find(subject, text);
    if (existing !== undefined) return { kind: 'existing', entry: existing };
    const result = this.checkType(subject, type);
    if (!result.compatible) throw new IncompatibleSchemaError(subject, this.level(subject), result.reasons);
    const list = this.versions.get(subject);
    const version = list === undefined || list.length === 0 ? 1 : list[list.length - 1]!.version + 1;
    const id = this.idsBySchema.get(text) ?? this.maxId + 1;
    return { kind: 'new', entry: { subject, version, id, schema: text } };
  }

  /** Whether `schema` passes the subject's level against its current versions. */
  check(subject: string, schema: AvroSchemaInput): CompatibilityResult {
    checkSubject(subject);
    return this.checkType(subject, parseAvroSchema(schema));
  }

  /** The entry of `subject` with this canonical schema text. */
  find(subject: string, canonicalSchema: string): RegisteredSchema | undefined {
    return this.versions.get(subject)?.find((v) => v.schema === canonicalSchema);
  }

  /** The schema text of an id. */
  schemaById(id: number): string | undefined {
    return this.schemasById.get(id);
  }

  /** @throws SchemaNotFoundError */
  latest(subject: string): RegisteredSchema {
    const list = this.versions.get(subject);
    if (list === undefined || list.length === 0) throw new SchemaNotFoundError(`Subject "${subject}"`);
    return list[list.length - 1]!;
  }

  /** @throws SchemaNotFoundError */
  version(subject: string, version: number): RegisteredSchema {
    const found = this.versions.get(subject)?.find((v) => v.version === version);
    if (found === undefined) throw new SchemaNotFoundError(`Version ${version} of subject "${subject}"`);
    return found;
  }

  /** Every subject with a version, sorted. */
  subjects(): string[] {
    return [...this.versions.keys()].sort();
  }

  private checkType(subject: string, type: Type): CompatibilityResult {
    const list = this.versions.get(subject) ?? [];
    const existing = list.map((v) => ({ version: v.version, type: this.typeOf(v.id) }));
    return checkAvroCompatibility(type, existing, this.level(subject));
  }

  private typeOf(id: number): Type {
    let type = this.typesById.get(id);
    if (type === undefined) {
      type = parseAvroSchema(this.schemasById.get(id)!);
      this.typesById.set(id, type);
    }
    return type;
  }
}

function checkSubject(subject: string): void {
  if (typeof subject !== 'string' || subject.length === 0) throw new InvalidArgumentError('A schema subject must be a non-empty string');
}
