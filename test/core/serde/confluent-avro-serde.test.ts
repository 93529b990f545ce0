import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfluentAvroSerde } from '../../../core/serde/confluent-avro-serde.ts';
import { InMemorySchemaRegistry } from '../../../core/serde/in-memory-schema-registry.ts';
import { EmbeddedSchemaRegistry } from '../../../core/serde/embedded-schema-registry.ts';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { SerdeError, withRecordLocation } from '../../../core/errors/streams-errors.ts';
import { IncompatibleSchemaError, SchemaNotFoundError } from '../../../core/errors/schema-registry-errors.ts';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import { orderAmountString, orderNoDefault, orderV1, orderV2, type OrderV1, type OrderV2 } from './avro-fixtures.ts';

const plain = <T>(v: T | null): T => ({ ...(v as object) }) as T;

describe('core/serde/confluent-avro-serde', () => {
  it('writes magic byte 0, the 4-byte big-endian schema id, then the Avro binary', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.register('filler-value', 'int');
    await registry.register('filler-value', 'long');
    const serde = new ConfluentAvroSerde<OrderV1>(registry, { schema: orderV1 });
    expect(await serde.prepare('orders')).toBe(3);
    expect((await registry.getLatest('orders-value')).id).toBe(3);
    const bytes = serde.serialize('orders', { id: 'a', amount: 1.5 })!;
    expect(bytes.toString('hex')).toBe('00' + '00000003' + '0261' + '000000000000f83f');
    expect(plain(serde.deserialize('orders', bytes))).toEqual({ id: 'a', amount: 1.5 });
  });

  it('grows its encoding buffer for large values', async () => {
    const serde = Serdes.avroRegistry<string>(new InMemorySchemaRegistry(), { schema: 'string' });
    await serde.prepare('t', false);
    const big = 'x'.repeat(5000);
    const bytes = serde.serialize('t', big)!;
    expect(bytes.length).toBe(5 + 2 + 5000);
    expect(serde.deserialize('t', bytes)).toBe(big);
    expect(serde.deserialize('t', serde.serialize('t', 'small'))).toBe('small');
  });

  it('schema evolution: a reader with a field added (default) reads records written with the old schema', async () => {
    const registry = new InMemorySchemaRegistry();
    const v1 = new ConfluentAvroSerde<OrderV1>(registry, { schema: orderV1 });
    await v1.prepare('orders');
    const old = v1.serialize('orders', { id: 'old', amount: 2 })!;
    const v2 = new ConfluentAvroSerde<OrderV2>(registry, { schema: orderV2 });
    await v2.prepare('orders');
    expect((await registry.getLatest('orders-value')).version).toBe(2);
    const fresh = v2.serialize('orders', { id: 'new', amount: 3, currency: 'USD' })!;
    expect(fresh.readInt32BE(1)).not.toBe(old.readInt32BE(1));
    expect(plain(v2.deserialize('orders', old))).toEqual({ id: 'old', amount: 2, currency: 'EUR' });
    expect(plain(v2.deserialize('orders', fresh))).toEqual({ id: 'new', amount: 3, currency: 'USD' });
    // and the old reader skips the field it does not know
    expect(plain(v1.deserialize('orders', fresh))).toEqual({ id: 'new', amount: 3 });
  });

  it('an incompatible schema is refused by the registry when the serde prepares', async () => {
    const registry = new InMemorySchemaRegistry();
    await new ConfluentAvroSerde<OrderV1>(registry, { schema: orderV1 }).prepare('orders');
    const noDefault = new ConfluentAvroSerde(registry, { schema: orderNoDefault });
    await expect(noDefault.prepare('orders')).rejects.toThrow(IncompatibleSchemaError);
    await expect(noDefault.prepare('orders')).rejects.toThrow(/subject "orders-value" is incompatible \(BACKWARD\)/);
    await expect(new ConfluentAvroSerde(registry, { schema: orderAmountString }).prepare('orders')).rejects.toThrow(IncompatibleSchemaError);
    expect(() => noDefault.serialize('orders', { id: 'a', amount: 1, customer: 'c' })).toThrow(/not registered under subject "orders-value"/);
  });

  it('serialize finds an already registered schema without prepare; an unregistered one is a SerdeError', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.register('orders-value', orderV1);
    const serde = new ConfluentAvroSerde<OrderV1>(registry, { schema: orderV1 });
    expect(serde.serialize('orders', { id: 'a', amount: 1 })!.readInt32BE(1)).toBe(id);
    expect(() => serde.serialize('refunds', { id: 'a', amount: 1 })).toThrow(SerdeError);
    expect(() => serde.serialize('refunds', { id: 'a', amount: 1 })).toThrow(
      `Cannot serialize data of refunds with avro-registry(shop.Order): the schema is not registered under subject "refunds-value": await serde.prepare('refunds') before the first record`,
    );
  });

  it('autoRegister false looks the schema up instead of registering it', async () => {
    const registry = new InMemorySchemaRegistry();
    const serde = new ConfluentAvroSerde<OrderV1>(registry, { schema: orderV1, autoRegister: false });
    await expect(serde.prepare('orders')).rejects.toThrow(SchemaNotFoundError);
    const id = await registry.register('orders-value', orderV1);
    expect(await serde.prepare('orders')).toBe(id);
  });

  it('names subjects by strategy', async () => {
    const registry = new InMemorySchemaRegistry();
    expect(new ConfluentAvroSerde(registry, { schema: orderV1, isKey: true }).subjectFor('orders')).toBe('orders-key');
    expect(new ConfluentAvroSerde(registry, { schema: orderV1 }).subjectFor('orders')).toBe('orders-value');
    expect(new ConfluentAvroSerde(registry, { schema: orderV1, subjectNameStrategy: 'record' }).subjectFor('orders')).toBe('shop.Order');
    expect(new ConfluentAvroSerde(registry, { schema: orderV1, subjectNameStrategy: 'topic-record' }).subjectFor('orders')).toBe('orders-shop.Order');
    expect(new ConfluentAvroSerde(registry, { schema: orderV1, subjectNameStrategy: (t, k) => `${t}.${k}` }).subjectFor('o')).toBe('o.false');
    expect(() => new ConfluentAvroSerde(registry, { schema: 'string', subjectNameStrategy: 'record' })).toThrow(InvalidArgumentError);
    const keys = new ConfluentAvroSerde<string>(registry, { schema: 'string' });
    await keys.prepare('orders', true);
    expect(await registry.subjects()).toEqual(['orders-key']);
  });

  it('raises SerdeError for a wrong magic byte, short data, an unknown id, an unreadable writer schema and bad bytes', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.setCompatibility(null, 'NONE');
    const serde = new ConfluentAvroSerde<OrderV1>(registry, { schema: orderV1 });
    await serde.prepare('orders');
    expect(() => serde.deserialize('orders', Buffer.from('0100000001', 'hex'))).toThrow('unknown magic byte 1 (expected 0)');
    expect(() => serde.deserialize('orders', Buffer.from('000000', 'hex'))).toThrow('expected at least 5 bytes');
    let error: unknown;
    try {
      serde.deserialize('orders', Buffer.from('0000000063', 'hex'));
    } catch (e) {
      error = e;
    }
    expect(withRecordLocation(error, 'orders', 3, 42).message).toBe(
      'Cannot deserialize value of orders-3@42 with avro-registry(shop.Order): schema id 99 is not known to the registry',
    );
    const other = new ConfluentAvroSerde<string>(registry, { schema: orderAmountString });
    await other.prepare('orders');
    const written = other.serialize('orders', { id: 'a', amount: 'lots' } as unknown as string)!;
    expect(() => serde.deserialize('orders', written)).toThrow(/cannot read data written with schema id 2: /);
    const truncated = serde.serialize('orders', { id: 'a', amount: 1 })!.subarray(0, 7);
    expect(() => serde.deserialize('orders', truncated)).toThrow(/schema id 1: truncated buffer/);
    expect(() => serde.serialize('orders', { id: 1 } as unknown as OrderV1)).toThrow(SerdeError);
  });

  it('with the embedded registry: a serde in a restarted process reads old records of an evolved schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-confluent-'));
    try {
      let log = await EmbeddedLog.open({ dir });
      let registry = await EmbeddedSchemaRegistry.open(log);
      const v1 = Serdes.avroRegistry<OrderV1>(registry, { schema: orderV1 });
      await v1.prepare('orders', false);
      const old = v1.serialize('orders', { id: 'o1', amount: 9 })!;
      await registry.close();
      await log.close();

      log = await EmbeddedLog.open({ dir });
      registry = await EmbeddedSchemaRegistry.open(log);
      const v2 = Serdes.avroRegistry<OrderV2>(registry, { schema: orderV2 });
      expect(plain(v2.deserialize('orders', old))).toEqual({ id: 'o1', amount: 9, currency: 'EUR' });
      await v2.prepare('orders', false);
      expect((await registry.getLatest('orders-value')).version).toBe(2);
      // a second registry object on the same log learns the new id synchronously while reading
      const reader = Serdes.avroRegistry<OrderV2>(await EmbeddedSchemaRegistry.open(log), { schema: orderV2 });
      const other = await EmbeddedSchemaRegistry.open(log);
      const v3 = Serdes.avroRegistry<OrderV2>(other, { schema: { ...orderV2, fields: [...orderV2.fields, { name: 'note', type: 'string', default: '' }] } });
      await v3.prepare('orders', false);
      const newer = v3.serialize('orders', { id: 'o3', amount: 1, currency: 'GBP', note: 'n' } as OrderV2)!;
      expect(plain(reader.deserialize('orders', newer))).toEqual({ id: 'o3', amount: 1, currency: 'GBP' });
      await log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('core/serde/confluent-avro-serde on the TopologyTestDriver', () => {
  it('a topology whose source reads with v2 gets the default for records written with v1; v3 without default is refused', async () => {
    const { TopologyTestDriver } = await import('../../../core/runtime/topology-test-driver.ts');
    const { Topology } = await import('../../../core/topology/topology.ts');
    const registry = new InMemorySchemaRegistry();
    const v1 = Serdes.avroRegistry<OrderV1>(registry, { schema: orderV1 });
    await v1.prepare('orders', false);
    const v2 = Serdes.avroRegistry<OrderV2>(registry, { schema: orderV2 });
    const json = Serdes.json<OrderV2>();
    const topology = new Topology()
      .addSource('in', 'orders', { keySerde: Serdes.string(), valueSerde: v2 })
      .addSink('out', 'orders-json', { keySerde: Serdes.string(), valueSerde: json }, 'in')
      .build();
    const driver = new TopologyTestDriver(topology);
    await driver.prepare();
    expect((await registry.getLatest('orders-value')).version).toBe(2);
    driver.createInputTopic('orders', Serdes.string(), v1).pipeInput('k', { id: 'o1', amount: 5 }, 1000);
    expect(driver.createOutputTopic('orders-json', Serdes.string(), json).readKeyValue()).toEqual({
      key: 'k',
      value: { id: 'o1', amount: 5, currency: 'EUR' },
    });
    driver.close();

    const v3 = Serdes.avroRegistry(registry, { schema: orderNoDefault });
    const bad = new TopologyTestDriver(new Topology().addSource('in', 'orders', { keySerde: Serdes.string(), valueSerde: v3 }).addSink('out', 'x', { keySerde: Serdes.string(), valueSerde: json }, 'in').build());
    await expect(bad.prepare()).rejects.toThrow(IncompatibleSchemaError);
    bad.close();
  });
});
