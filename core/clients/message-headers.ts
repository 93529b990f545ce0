/**
 * Conversion between kafkajs's {@link IHeaders} (an object: a string or Buffer per key, an array for a
 * repeated key) and the log's {@link RecordHeader} list (Kafka allows repeated keys, so the log keeps a list).
 */
import type { RecordHeader } from '../log/log-contracts.ts';
import type { IHeaders } from './log-client.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';

const EMPTY: readonly RecordHeader[] = Object.freeze([]);

function headerValue(value: unknown, key: string, where: string): Buffer | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  throw new InvalidArgumentError(`${where}: header "${key}" must be a string, Buffer or an array of them`);
}

/**
 * Turns kafkajs headers into record headers, in key order; an array value becomes repeated headers, a
 * string is UTF-8 encoded and `undefined`/`null` becomes a header with a null value.
 *
 * @param where names the message in error messages, e.g. `"message 3 to orders"`.
 * @throws InvalidArgumentError when a value is not a string, Buffer or an array of them.
 * @example
 * toRecordHeaders({ trace: 'abc', tag: ['x', 'y'] }, 'send'); // [{key:'trace',...}, {key:'tag',...}, {key:'tag',...}]
 */
export function toRecordHeaders(headers: IHeaders | null | undefined, where: string): readonly RecordHeader[] {
  if (headers === undefined || headers === null) return EMPTY;
  const out: RecordHeader[] = [];
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (Array.isArray(value)) {
      for (const v of value) out.push({ key, value: headerValue(v, key, where) });
    } else {
      out.push({ key, value: headerValue(value, key, where) });
    }
  }
  return out.length === 0 ? EMPTY : out;
}

/**
 * Adds one consumed header to a kafkajs headers object: the first value of a key is stored as is, a
 * repeated key turns into an array (kafkajs's behaviour). A null value is stored as `undefined`.
 */
export function addHeader(target: IHeaders, key: string, value: Buffer | null): void {
  const v = value === null ? undefined : value;
  if (!Object.prototype.hasOwnProperty.call(target, key)) {
    target[key] = v;
    return;
  }
  const existing = target[key];
  if (Array.isArray(existing)) {
    if (v !== undefined) existing.push(v);
  } else if (v !== undefined) {
    target[key] = existing === undefined ? [v] : [existing, v];
  }
}

/**
 * Turns record headers into kafkajs headers (values stay Buffers; repeated keys become arrays).
 *
 * @example
 * toIHeaders([{ key: 'a', value: Buffer.from('1') }]); // { a: <Buffer 31> }
 */
export function toIHeaders(headers: readonly RecordHeader[]): IHeaders {
  const out: IHeaders = {};
  for (const h of headers) addHeader(out, h.key, h.value);
  return out;
}
