import { describe, expect, it } from 'vitest';
import { addHeader, toIHeaders, toRecordHeaders } from '../../../core/clients/message-headers.ts';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import type { IHeaders } from '../../../core/clients/log-client.ts';

describe('core/clients/message-headers', () => {
  it('turns kafkajs headers into record headers: strings encoded, arrays repeated, undefined as null', () => {
    expect(toRecordHeaders({ a: 'x', b: Buffer.from([1]), c: ['1', Buffer.from('2')], d: undefined }, 'send')).toEqual([
      { key: 'a', value: Buffer.from('x') },
      { key: 'b', value: Buffer.from([1]) },
      { key: 'c', value: Buffer.from('1') },
      { key: 'c', value: Buffer.from('2') },
      { key: 'd', value: null },
    ]);
    expect(toRecordHeaders(undefined, 'send')).toEqual([]);
  });

  it('rejects values that are neither strings nor Buffers, naming the message', () => {
    expect(() => toRecordHeaders({ n: 5 as never }, 'message 2 to topic "t"')).toThrow(
      new InvalidArgumentError('message 2 to topic "t": header "n" must be a string, Buffer or an array of them'),
    );
  });

  it('turns record headers back into kafkajs headers, repeated keys as arrays', () => {
    expect(
      toIHeaders([
        { key: 'a', value: Buffer.from('1') },
        { key: 'a', value: Buffer.from('2') },
        { key: 'a', value: Buffer.from('3') },
        { key: 'n', value: null },
      ]),
    ).toEqual({ a: [Buffer.from('1'), Buffer.from('2'), Buffer.from('3')], n: undefined });
    const target: IHeaders = {};
    addHeader(target, 'k', null);
    addHeader(target, 'k', Buffer.from('v'));
    expect(target).toEqual({ k: [Buffer.from('v')] });
  });
});
