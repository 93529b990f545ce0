import { describe, expect, it } from 'vitest';
import { decodeKafkaMessages } from '../../../../core/clients/embedded/kafka-message-decoder.ts';
import type { EmbeddedKafkaMessage } from '../../../../core/clients/embedded/embedded-kafka-message.ts';
import { encodeRecordBatch, restampLogAppendTime, writeBaseOffset } from '../../../../core/log/record-batch.ts';
import { InvalidRecordError } from '../../../../core/errors/log-errors.ts';

function batch(baseOffset: number, values: (string | null)[], options: Parameters<typeof encodeRecordBatch>[1] = {}) {
  const buf = encodeRecordBatch(
    values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: v === null ? null : Buffer.from(v), timestamp: 1000 + i })),
    options,
  );
  writeBaseOffset(buf, 0, baseOffset);
  return buf;
}

function plain(m: EmbeddedKafkaMessage) {
  return JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
}

describe('core/clients/embedded/kafka-message-decoder', () => {
  it('decodes concatenated batches into kafkajs messages from the requested offset on', () => {
    const buf = Buffer.concat([batch(10, ['a', 'b', 'c']), batch(13, ['d', null], { compression: 'gzip' })]);
    const out: EmbeddedKafkaMessage[] = [];
    const next = decodeKafkaMessages(buf, 11, out, 'test');
    expect(next).toBe(15);
    expect(out.map((m) => [m.offset, m.timestamp, m.key?.toString(), m.value?.toString() ?? null])).toEqual([
      ['11', '1001', 'k1', 'b'],
      ['12', '1002', 'k2', 'c'],
      ['13', '1000', 'k0', 'd'],
      ['14', '1001', 'k1', null],
    ]);
    expect(out[0]!.offsetNumber).toBe(11);
    expect(out[0]!.size).toBeGreaterThan(5);
    expect(plain(out[0]!)).toMatchObject({ offset: '11', timestamp: '1001', attributes: 0, headers: {} });
    // Keys and values are views into the fetched bytes, not copies.
    expect(out[0]!.value!.buffer).toBe(buf.buffer);
  });

  it('parses headers lazily, repeated keys as arrays', () => {
    const buf = encodeRecordBatch([
      { key: null, value: Buffer.from('v'), timestamp: 5, headers: [{ key: 'h', value: Buffer.from('1') }, { key: 'h', value: Buffer.from('2') }, { key: 'n', value: null }] },
    ]);
    const out: EmbeddedKafkaMessage[] = [];
    decodeKafkaMessages(buf, 0, out, 'test');
    expect(out[0]!.key).toBeNull();
    expect(out[0]!.headers).toEqual({ h: [Buffer.from('1'), Buffer.from('2')], n: undefined });
    expect(out[0]!.headers).toBe(out[0]!.headers);
  });

  it('skips control batches but moves past them, and reports LogAppendTime', () => {
    const control = batch(3, ['marker'], { isControl: true, isTransactional: true });
    const stamped = batch(4, ['x', 'y']);
    restampLogAppendTime(stamped, 0, 777);
    const out: EmbeddedKafkaMessage[] = [];
    expect(decodeKafkaMessages(control, 3, out, 'test')).toBe(4);
    expect(out).toEqual([]);
    decodeKafkaMessages(stamped, 4, out, 'test');
    expect(out.map((m) => m.timestamp)).toEqual(['777', '777']);
  });

  it('ignores a trailing partial batch and rejects a record whose lengths run past its batch', () => {
    const whole = batch(0, ['a']);
    const out: EmbeddedKafkaMessage[] = [];
    expect(decodeKafkaMessages(Buffer.concat([whole, whole.subarray(0, 20)]), 0, out, 'test')).toBe(1);
    const bad = Buffer.from(whole);
    bad[61] = 0x7e; // record length varint: far beyond the batch
    expect(() => decodeKafkaMessages(bad, 0, [], 'fetch t-0')).toThrow(InvalidRecordError);
    expect(() => decodeKafkaMessages(bad, 0, [], 'fetch t-0')).toThrow(/fetch t-0: record 0/);
  });
});
