import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../core/serde/avro-serde.ts';
import { SerdeError } from '../../../core/errors/streams-errors.ts';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import { orderNoDefault, orderV1, orderV2, type OrderV1, type OrderV2 } from './avro-fixtures.ts';

describe('core/serde/avro-serde', () => {
  it('round-trips a record in plain Avro binary (known bytes, no header)', () => {
    const s = new AvroSerde<OrderV1>(orderV1);
    expect(s.name).toBe('avro(shop.Order)');
    const bytes = s.serialize('orders', { id: 'a', amount: 1.5 })!;
    // "a": zigzag length 1 -> 0x02, 0x61; 1.5 as little-endian double
    expect(bytes.toString('hex')).toBe('0261' + '000000000000f83f');
    expect({ ...s.deserialize('orders', bytes) }).toEqual({ id: 'a', amount: 1.5 });
  });

  it('accepts the schema as JSON text and as a primitive name', () => {
    const s = new AvroSerde<OrderV1>(JSON.stringify(orderV1));
    expect({ ...s.deserialize('t', s.serialize('t', { id: 'x', amount: 2 })) }).toEqual({ id: 'x', amount: 2 });
    const longs = new AvroSerde<number>('long');
    expect(longs.serialize('t', -1)!.toString('hex')).toBe('01');
    expect(() => new AvroSerde('{"type":"record"}')).toThrow(InvalidArgumentError);
  });

  it('reads data written with an older writer schema, filling defaults', () => {
    const v1 = new AvroSerde<OrderV1>(orderV1);
    const v2 = new AvroSerde<OrderV2>(orderV2, { writerSchema: orderV1 });
    expect({ ...v2.deserialize('t', v1.serialize('t', { id: 'a', amount: 3 })) }).toEqual({ id: 'a', amount: 3, currency: 'EUR' });
    expect(() => new AvroSerde(orderNoDefault, { writerSchema: orderV1 })).toThrow(/cannot read data written with the given writer schema/);
  });

  it('raises SerdeError for values that do not match and bytes that do not decode', () => {
    const s = new AvroSerde<OrderV1>(orderV1);
    expect(() => s.serialize('orders', { id: 'a' } as OrderV1)).toThrow(SerdeError);
    expect(() => s.serialize('orders', { id: 'a' } as OrderV1)).toThrow(/^Cannot serialize data of orders with avro\(shop.Order\): invalid "double"/);
    expect(() => s.deserialize('orders', Buffer.from([0x02]))).toThrow(/^Cannot deserialize data of orders with avro\(shop.Order\): truncated buffer/);
    const good = s.serialize('orders', { id: 'a', amount: 1 })!;
    expect(() => s.deserialize('orders', Buffer.concat([good, Buffer.from([7])]))).toThrow(/trailing data/);
  });
});

describe('core/serde/avro-serde buffer reuse', () => {
  it('returns independent buffers and grows for large values', () => {
    const s = new AvroSerde<string>('string');
    const a = s.serialize('t', 'first')!;
    const big = s.serialize('t', 'y'.repeat(3000))!;
    const b = s.serialize('t', 'second')!;
    expect(s.deserialize('t', a)).toBe('first');
    expect(s.deserialize('t', big)).toBe('y'.repeat(3000));
    expect(s.deserialize('t', b)).toBe('second');
  });
});
