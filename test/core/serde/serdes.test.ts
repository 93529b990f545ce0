import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../core/serde/serdes.ts';
import type { Serde } from '../../../core/serde/serde.ts';
import { InMemorySchemaRegistry } from '../../../core/serde/in-memory-schema-registry.ts';

const registry = new InMemorySchemaRegistry();
const all: [string, Serde<any>][] = [
  ['string', Serdes.string()],
  ['json', Serdes.json()],
  ['json with options', Serdes.json({ validate: () => false })],
  ['int32', Serdes.int32()],
  ['int64', Serdes.int64()],
  ['int64Big', Serdes.int64Big()],
  ['float64', Serdes.float64()],
  ['bytes', Serdes.bytes()],
  ['uuid', Serdes.uuid()],
  ['void', Serdes.void()],
  ['avro', Serdes.avro('string')],
  ['avroRegistry', Serdes.avroRegistry(registry, { schema: 'string' })],
];

describe('core/serde/serdes', () => {
  it.each(all)('%s maps null to null both ways', (_name, serde) => {
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
  });

  it('names each serde', () => {
    expect(all.map(([, s]) => s.name)).toEqual([
      'string', 'json', 'json', 'int32', 'int64', 'int64big', 'float64', 'bytes', 'uuid', 'void', 'avro(string)', 'avro-registry(string)',
    ]);
  });

  it('round-trips a value through each factory', () => {
    expect(Serdes.string().deserialize('t', Serdes.string().serialize('t', 'x'))).toBe('x');
    expect(Serdes.json<{ a: number[] }>().deserialize('t', Serdes.json<{ a: number[] }>().serialize('t', { a: [1] }))).toEqual({ a: [1] });
    expect(Serdes.int64().deserialize('t', Serdes.int64().serialize('t', -5))).toBe(-5);
    expect(Serdes.avro<number>('long').deserialize('t', Serdes.avro<number>('long').serialize('t', 1234567))).toBe(1234567);
  });
});
