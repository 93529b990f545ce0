import { describe, expect, it } from 'vitest';
import { JsonSerde } from '../../../core/serde/json-serde.ts';
import { SerdeError, withRecordLocation } from '../../../core/errors/streams-errors.ts';

interface Order {
  id: string;
  amount: number;
}

describe('core/serde/json-serde', () => {
  it('round-trips typed values as UTF-8 JSON', () => {
    const s = new JsonSerde<Order>();
    const bytes = s.serialize('orders', { id: 'é1', amount: 3 })!;
    expect(bytes.toString('utf8')).toBe('{"id":"é1","amount":3}');
    expect(s.deserialize('orders', bytes)).toEqual({ id: 'é1', amount: 3 });
  });

  it('raises SerdeError naming the serde and topic for bad JSON, and the location once the runtime adds it', () => {
    const s = new JsonSerde<Order>();
    let error: unknown;
    try {
      s.deserialize('orders', Buffer.from('{"id": nope}'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerdeError);
    const serde = error as SerdeError;
    expect(serde.code).toBe('SERDE');
    expect(serde.message).toMatch(/^Cannot deserialize data of orders with json: Unexpected token/);
    expect(serde.cause).toBeInstanceOf(SyntaxError);
    const located = withRecordLocation(error, 'orders', 3, 42, { role: 'value' });
    expect(located.message).toMatch(/^Cannot deserialize value of orders-3@42 with json: Unexpected token/);
    expect([located.topic, located.partition, located.offset]).toEqual(['orders', 3, 42]);
    expect(located.cause).toBe(serde.cause);
  });

  it('validates parsed values when asked, and uses the reviver', () => {
    const s = new JsonSerde<Order>({
      validate: (v) => typeof (v as Order).id === 'string' && typeof (v as Order).amount === 'number',
      reviver: (key, value) => (key === 'amount' ? Number(value) : value),
      name: 'json(Order)',
    });
    expect(s.deserialize('o', Buffer.from('{"id":"a","amount":"7"}'))).toEqual({ id: 'a', amount: 7 });
    expect(() => s.deserialize('o', Buffer.from('{"amount":1}'))).toThrow(
      'Cannot deserialize data of o with json(Order): validation failed: the value does not have the expected shape',
    );
    const throwing = new JsonSerde<Order>({ validate: () => { throw new Error('no id'); } });
    expect(() => throwing.deserialize('o', Buffer.from('{}'))).toThrow('validation failed: no id');
  });

  it('refuses values without a JSON form and cyclic values', () => {
    const s = new JsonSerde<unknown>();
    expect(() => s.serialize('t', (() => 1) as unknown)).toThrow('function has no JSON form');
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => s.serialize('t', cyclic)).toThrow(SerdeError);
  });
});
