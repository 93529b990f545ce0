import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { EmbeddedSchemaRegistry } from '../../../core/serde/embedded-schema-registry.ts';
import { canonicalAvroSchema, parseAvroSchema } from '../../../core/serde/avro-schema.ts';
import { IncompatibleSchemaError } from '../../../core/errors/schema-registry-errors.ts';
import { schemaRegistryContract } from './schema-registry-contract.ts';
import { orderNoDefault, orderV1, orderV2 } from './avro-fixtures.ts';

schemaRegistryContract('core/serde/embedded-schema-registry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-registry-'));
  const log = await EmbeddedLog.open({ dir });
  const registry = await EmbeddedSchemaRegistry.open(log);
  return {
    registry,
    cleanup: async () => {
      await registry.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('core/serde/embedded-schema-registry', () => {
  let dir: string;
  let log: EmbeddedLog;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-registry-'));
    log = await EmbeddedLog.open({ dir });
  });

  afterEach(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores versions in the compacted _schemas topic, keyed by subject and version', async () => {
    const registry = await EmbeddedSchemaRegistry.open(log);
    const id = await registry.register('orders-value', orderV1);
    const topic = log.logManager.describeTopic('_schemas')!;
    expect(topic.numPartitions).toBe(1);
    expect(topic.config.cleanupPolicy).toBe('compact');
    const [p] = await log.fetch([{ topic: '_schemas', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
    expect(p!.records).toHaveLength(1);
    expect(JSON.parse(p!.records[0]!.key!.toString())).toEqual({ keytype: 'SCHEMA', subject: 'orders-value', version: 1, magic: 1 });
    expect(JSON.parse(p!.records[0]!.value!.toString())).toEqual({
      subject: 'orders-value',
      version: 1,
      id,
      schema: canonicalAvroSchema(parseAvroSchema(orderV1)),
      deleted: false,
    });
    await registry.close();
  });

  it('a registry reopened on the same data directory sees the same ids, versions and levels', async () => {
    const first = await EmbeddedSchemaRegistry.open(log);
    const id1 = await first.register('orders-value', orderV1);
    const id2 = await first.register('orders-value', orderV2);
    await first.setCompatibility('orders-value', 'FULL');
    await first.close();
    await log.close();

    log = await EmbeddedLog.open({ dir });
    const second = await EmbeddedSchemaRegistry.open(log);
    expect((await second.getLatest('orders-value')).id).toBe(id2);
    expect(await second.register('orders-value', orderV1)).toBe(id1);
    expect(await second.getCompatibility('orders-value')).toBe('FULL');
    await expect(second.register('orders-value', orderNoDefault)).rejects.toThrow(IncompatibleSchemaError);
    const id3 = await second.register('payments-value', 'long');
    expect(id3).toBe(Math.max(id1, id2) + 1);
    await second.close();
  });

  it('two registries on one log share ids: each sees what the other registered', async () => {
    const a = await EmbeddedSchemaRegistry.open(log);
    const b = await EmbeddedSchemaRegistry.open(log);
    const [ida, idb] = await Promise.all([a.register('x-value', orderV1), b.register('y-value', 'string')]);
    expect(ida).not.toBe(idb);
    expect(b.getByIdSync(ida)).toBe(canonicalAvroSchema(parseAvroSchema(orderV1)));
    expect(a.lookupIdSync('y-value', '"string"')).toBe(idb);
    expect(await b.register('x-value', orderV1)).toBe(ida);
    expect((await a.getLatest('x-value')).version).toBe(1);
    await a.close();
    await b.close();
  });

  it('skips records in the topic that are not registry records', async () => {
    const producer = log.producer();
    await producer.connect();
    await producer.send({ topic: '_schemas', messages: [{ key: 'junk', value: '{}' }, { key: null, value: 'x' }] });
    const registry = await EmbeddedSchemaRegistry.open(log);
    expect(registry.skippedRecords).toBe(2);
    expect(await registry.register('s', 'int')).toBe(1);
    await registry.close();
  });
});
