import { describe, expect, it } from 'vitest';
import { SerdeError, withRecordLocation } from '../../../core/errors/streams-errors.ts';
import { TributaryError } from '../../../core/errors/tributary-error.ts';

describe('core/errors/streams-errors SerdeError', () => {
  it('formats a structured failure with what the serde knows', () => {
    const e = new SerdeError({ operation: 'serialize', serde: 'int32', reason: 'expected an integer', role: 'key' }, { topic: 'counts' });
    expect(e).toBeInstanceOf(TributaryError);
    expect(e.code).toBe('SERDE');
    expect(e.message).toBe('Cannot serialize key of counts with int32: expected an integer');
    expect([e.topic, e.partition, e.offset]).toEqual(['counts', -1, -1]);
    expect(e.failure?.operation).toBe('serialize');
  });

  it('keeps the plain-message form with the location in parentheses', () => {
    expect(new SerdeError('Cannot deserialize value as json', { topic: 'orders', partition: 0, offset: 42 }).message).toBe(
      'Cannot deserialize value as json (orders-0@42)',
    );
    expect(new SerdeError('bad').message).toBe('bad');
  });

  it('withRecordLocation adds partition and offset and keeps the cause', () => {
    const cause = new SyntaxError('Unexpected token');
    const e = new SerdeError({ operation: 'deserialize', serde: 'json', reason: cause.message }, { topic: 'orders' }, { cause });
    const located = withRecordLocation(e, 'orders', 3, 42);
    expect(located.message).toBe('Cannot deserialize value of orders-3@42 with json: Unexpected token');
    expect(located.cause).toBe(cause);
    expect(withRecordLocation(e, 'orders', 3, 42, { role: 'key' }).message).toBe('Cannot deserialize key of orders-3@42 with json: Unexpected token');
    const plain = withRecordLocation(new SerdeError('odd bytes', { topic: 'orders' }), 'orders', 1, 7);
    expect(plain.message).toBe('odd bytes (orders-1@7)');
  });

  it('withRecordLocation wraps what a custom serde threw', () => {
    const thrown = new RangeError('boom');
    const located = withRecordLocation(thrown, 'events', 0, 5, { serde: 'protobuf(Event)' });
    expect(located).toBeInstanceOf(SerdeError);
    expect(located.message).toBe('Cannot deserialize value of events-0@5 with protobuf(Event): boom');
    expect(located.cause).toBe(thrown);
  });
});
