/**
 * The SchemaRegistry contract, written once and run against every implementation
 * (in-memory-schema-registry.test.ts, embedded-schema-registry.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SchemaRegistry } from '../../../core/serde/schema-registry.ts';
import { IncompatibleSchemaError, SchemaNotFoundError } from '../../../core/errors/schema-registry-errors.ts';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import { canonicalAvroSchema, parseAvroSchema } from '../../../core/serde/avro-schema.ts';
import { orderAmountString, orderNoDefault, orderV1, orderV2 } from './avro-fixtures.ts';

/** Runs the contract; `open` gives a fresh registry and a cleanup. */
export function schemaRegistryContract(name: string, open: () => Promise<{ registry: SchemaRegistry; cleanup: () => Promise<void> }>): void {
  describe(`${name} (SchemaRegistry contract)`, () => {
    async function withRegistry(fn: (r: SchemaRegistry) => Promise<void>): Promise<void> {
      const { registry, cleanup } = await open();
      try {
        await fn(registry);
      } finally {
        await cleanup();
      }
    }

    it('assigns ids and versions; registering the same schema again returns the same id', () =>
      withRegistry(async (r) => {
        const id1 = await r.register('orders-value', orderV1);
        expect(id1).toBeGreaterThan(0);
        expect(await r.register('orders-value', JSON.stringify(orderV1))).toBe(id1);
        const id2 = await r.register('orders-value', orderV2);
        expect(id2).not.toBe(id1);
        const latest = await r.getLatest('orders-value');
        expect(latest).toEqual({ subject: 'orders-value', version: 2, id: id2, schema: canonicalAvroSchema(parseAvroSchema(orderV2)) });
        expect((await r.getVersion('orders-value', 1)).id).toBe(id1);
        expect(JSON.parse(await r.getById(id1))).toEqual(JSON.parse(canonicalAvroSchema(parseAvroSchema(orderV1))));
        expect((await r.lookup('orders-value', orderV2)).version).toBe(2);
      }));

    it('reuses the id of an identical schema under another subject, with its own version numbers', () =>
      withRegistry(async (r) => {
        const a = await r.register('a-value', 'string');
        await r.setCompatibility('b-value', 'NONE');
        await r.register('b-value', orderV1);
        const b = await r.register('b-value', 'string');
        expect(b).toBe(a);
        expect((await r.getLatest('b-value')).version).toBe(2);
        expect(await r.subjects()).toEqual(['a-value', 'b-value']);
      }));

    it('refuses a version that breaks BACKWARD compatibility, naming subject and reason', () =>
      withRegistry(async (r) => {
        await r.register('orders-value', orderV1);
        const refused = await r.register('orders-value', orderNoDefault).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(IncompatibleSchemaError);
        const e = refused as IncompatibleSchemaError;
        expect(e.code).toBe('INCOMPATIBLE_SCHEMA');
        expect(e.subject).toBe('orders-value');
        expect(e.message).toMatch(/^Schema for subject "orders-value" is incompatible \(BACKWARD\): the new schema cannot read data written with version 1: .*customer/);
        await expect(r.register('orders-value', orderAmountString)).rejects.toThrow(IncompatibleSchemaError);
        expect((await r.getLatest('orders-value')).version).toBe(1);
        expect(await r.checkCompatibility('orders-value', orderV2)).toEqual({ compatible: true, reasons: [] });
        expect((await r.checkCompatibility('orders-value', orderNoDefault)).compatible).toBe(false);
      }));

    it('follows per-subject and default compatibility levels', () =>
      withRegistry(async (r) => {
        expect(await r.getCompatibility('x-value')).toBe('BACKWARD');
        await r.register('x-value', orderV1);
        await r.setCompatibility('x-value', 'NONE');
        expect(await r.getCompatibility('x-value')).toBe('NONE');
        expect(await r.register('x-value', orderAmountString)).toBeGreaterThan(0);
        await r.setCompatibility(null, 'FORWARD');
        expect(await r.getCompatibility('y-value')).toBe('FORWARD');
        await expect(r.setCompatibility(null, 'SIDEWAYS' as 'NONE')).rejects.toThrow(InvalidArgumentError);
      }));

    it('reports what is not registered, and refuses bad input', () =>
      withRegistry(async (r) => {
        await expect(r.getById(999)).rejects.toThrow(SchemaNotFoundError);
        await expect(r.getById(999)).rejects.toThrow('Schema id 999 is not registered');
        await expect(r.getLatest('nope')).rejects.toThrow('Subject "nope" is not registered');
        await r.register('s', orderV1);
        await expect(r.getVersion('s', 2)).rejects.toThrow(SchemaNotFoundError);
        await expect(r.lookup('s', orderV2)).rejects.toThrow(SchemaNotFoundError);
        await expect(r.register('', orderV1)).rejects.toThrow(InvalidArgumentError);
        await expect(r.register('s', '{"type":"nonsense"}')).rejects.toThrow(InvalidArgumentError);
      }));

    it('answers synchronous look-ups for what it knows', () =>
      withRegistry(async (r) => {
        const id = await r.register('orders-value', orderV1);
        const text = canonicalAvroSchema(parseAvroSchema(orderV1));
        expect(r.getByIdSync?.(id)).toBe(text);
        expect(r.getByIdSync?.(id + 100)).toBeUndefined();
        expect(r.lookupIdSync?.('orders-value', text)).toBe(id);
        expect(r.lookupIdSync?.('other-value', text)).toBeUndefined();
      }));
  });
}
