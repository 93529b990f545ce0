/**
 * Errors of the schema registry: a schema refused as incompatible, and a schema, subject or version
 * that does not exist.
 */
import { TributaryError } from './tributary-error.ts';

/**
 * A new schema version was refused because it breaks the subject's compatibility level (e.g. BACKWARD:
 * a reader with the new schema could not read data written with the latest one). Change the schema
 * (give the added field a default) or the subject's level; retrying does not help.
 *
 * @example
 * try { await registry.register('orders-value', v3); }
 * catch (e) { if (e instanceof IncompatibleSchemaError) console.error(e.subject, e.reasons); }
 */
export class IncompatibleSchemaError extends TributaryError {
  readonly subject: string;
  readonly level: string;
  readonly reasons: readonly string[];
  constructor(subject: string, level: string, reasons: readonly string[]) {
    super('INCOMPATIBLE_SCHEMA', `Schema for subject "${subject}" is incompatible (${level}): ${reasons.join('; ')}`);
    this.subject = subject;
    this.level = level;
    this.reasons = reasons;
  }
}

/**
 * The registry has no such schema id, subject, version, or schema under a subject.
 *
 * @example
 * await registry.getById(999); // throws SchemaNotFoundError: Schema id 999 is not registered
 */
export class SchemaNotFoundError extends TributaryError {
  constructor(what: string) {
    super('SCHEMA_NOT_FOUND', `${what} is not registered`);
  }
}
