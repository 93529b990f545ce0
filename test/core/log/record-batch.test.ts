import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import {
  batchCrcMatches,
  batchSizeAt,
  BatchField,
  decodeRecords,
  encodeRecordBatch,
  forEachBatch,
  readBatchHeader,
  restampLogAppendTime,
  validateRecordBatch,
  writeBaseOffset,
  writePartitionLeaderEpoch,
  type BatchRecordInput,
} from '../../../core/log/record-batch.ts';
import { InvalidRecordError, UnsupportedCompressionError } from '../../../core/errors/log-errors.ts';

const require = createRequire(import.meta.url);

const T0 = 1_732_000_000_000;

function sample(): BatchRecordInput[] {
  return [
    { key: Buffer.from('k1'), value: Buffer.from('hello'), timestamp: T0 },
    { key: null, value: Buffer.from('no key'), timestamp: T0 + 5 },
    { key: Buffer.from('k3'), value: null, timestamp: T0 - 3, headers: [{ key: 'trace', value: Buffer.from('abc') }] },
    {
      key: Buffer.alloc(0),
      value: Buffer.alloc(300, 7),
      timestamp: T0 + 70_000,
      headers: [
        { key: 'dup', value: Buffer.from('1') },
        { key: 'dup', value: null },
        { key: 'ünïcode', value: Buffer.alloc(0) },
      ],
    },
  ];
}

describe('core/log/record-batch', () => {
  it('round-trips records with null keys and values, headers and timestamps', () => {
    const batch = encodeRecordBatch(sample(), { baseOffset: 1000, producerId: 77, producerEpoch: 3, baseSequence: 12 });
    const header = validateRecordBatch(batch, 0, 'test');
    expect(header).toMatchObject({
      baseOffset: 1000,
      sizeInBytes: batch.length,
      magic: 2,
      compression: 'none',
      timestampType: 'CreateTime',
      lastOffsetDelta: 3,
      lastOffset: 1003,
      baseTimestamp: T0,
      maxTimestamp: T0 + 70_000,
      producerId: 77,
      producerEpoch: 3,
      baseSequence: 12,
      recordCount: 4,
      isTransactional: false,
      isControl: false,
    });
    const records = decodeRecords(batch, 0);
    expect(records.map((r) => r.offset)).toEqual([1000, 1001, 1002, 1003]);
    expect(records.map((r) => r.timestamp)).toEqual(sample().map((r) => r.timestamp));
    expect(records[0]!.key!.toString()).toBe('k1');
    expect(records[1]!.key).toBeNull();
    expect(records[2]!.value).toBeNull();
    expect(records[2]!.headers).toEqual([{ key: 'trace', value: Buffer.from('abc') }]);
    expect(records[3]!.key).toEqual(Buffer.alloc(0));
    expect(records[3]!.value).toEqual(Buffer.alloc(300, 7));
    expect(records[3]!.headers).toEqual([
      { key: 'dup', value: Buffer.from('1') },
      { key: 'dup', value: null },
      { key: 'ünïcode', value: Buffer.alloc(0) },
    ]);
  });

  it('round-trips gzip batches and keeps explicit offsets (as the cleaner writes them)', () => {
    const records = sample().map((r, i) => ({ ...r, offset: 50 + i * 3 }));
    const batch = encodeRecordBatch(records, { compression: 'gzip' });
    const header = validateRecordBatch(batch, 0, 'test');
    expect(header.compression).toBe('gzip');
    expect(header.baseOffset).toBe(50);
    expect(header.lastOffset).toBe(59);
    expect(decodeRecords(batch, 0).map((r) => r.offset)).toEqual([50, 53, 56, 59]);
    expect(decodeRecords(batch, 0)[3]!.value).toEqual(Buffer.alloc(300, 7));
  });

  it('writes exactly the bytes kafkajs writes for the same batch', async () => {
    const { RecordBatch: KafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
    const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
    const Long = require('kafkajs/src/utils/long.js');
    const input: BatchRecordInput[] = [
      { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: T0 },
      { key: Buffer.from('b'), value: Buffer.from('22'), timestamp: T0 + 9, headers: [{ key: 'h', value: Buffer.from('v') }] },
    ];
    const ours = encodeRecordBatch(input, { partitionLeaderEpoch: 0, producerEpoch: 0, baseSequence: 0 });
    const encoder = await KafkajsRecordBatch({
      firstOffset: Long.fromInt(0),
      firstTimestamp: T0,
      maxTimestamp: T0 + 9,
      lastOffsetDelta: 1,
      records: input.map((r, i) =>
        KafkajsRecord({
          offsetDelta: i,
          timestampDelta: r.timestamp - T0,
          key: r.key,
          value: r.value,
          headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value])),
        }),
      ),
    });
    expect(ours.equals(encoder.buffer)).toBe(true);
  });

  it('is decoded by kafkajs', async () => {
    const Decoder = require('kafkajs/src/protocol/decoder.js');
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
    const batch = encodeRecordBatch(sample(), { baseOffset: 7 });
    const decoded = await decodeBatch(new Decoder(batch));
    expect(decoded.records.map((r: { offset: string }) => r.offset)).toEqual(['7', '8', '9', '10']);
    expect(decoded.records[0].value.toString()).toBe('hello');
    expect(decoded.records[2].headers.trace.toString()).toBe('abc');
  });

  it('rewrites base offset and leader epoch without breaking the CRC', () => {
    const batch = encodeRecordBatch(sample());
    writeBaseOffset(batch, 0, 2 ** 40 + 5);
    writePartitionLeaderEpoch(batch, 0, 9);
    const h = validateRecordBatch(batch, 0, 'test');
    expect(h.baseOffset).toBe(2 ** 40 + 5);
    expect(h.partitionLeaderEpoch).toBe(9);
    expect(decodeRecords(batch, 0)[3]!.offset).toBe(2 ** 40 + 8);
  });

  it('restamps LogAppendTime and reports it for every record', () => {
    const batch = encodeRecordBatch(sample());
    restampLogAppendTime(batch, 0, T0 + 999);
    const h = validateRecordBatch(batch, 0, 'test');
    expect(h.timestampType).toBe('LogAppendTime');
    expect(h.maxTimestamp).toBe(T0 + 999);
    expect(decodeRecords(batch, 0).every((r) => r.timestamp === T0 + 999)).toBe(true);
  });

  it('rejects a flipped bit, a wrong magic and a truncated batch, naming where', () => {
    const batch = encodeRecordBatch(sample());
    const flipped = Buffer.from(batch);
    flipped[80]! ^= 0x01;
    expect(batchCrcMatches(batch, 0)).toBe(true);
    expect(batchCrcMatches(flipped, 0)).toBe(false);
    expect(() => validateRecordBatch(flipped, 0, 'produce to t-0')).toThrow(/produce to t-0: CRC mismatch/);
    const magic = Buffer.from(batch);
    magic[BatchField.magic] = 1;
    expect(() => validateRecordBatch(magic, 0, 'x')).toThrow(InvalidRecordError);
    expect(() => validateRecordBatch(magic, 0, 'x')).toThrow(/magic 1/);
    expect(() => validateRecordBatch(batch.subarray(0, batch.length - 1), 0, 'x')).toThrow(/declares/);
    expect(() => validateRecordBatch(batch.subarray(0, 20), 0, 'x')).toThrow(/truncated/);
  });

  it('walks concatenated batches and ignores an incomplete tail', () => {
    const a = encodeRecordBatch(sample(), { baseOffset: 0 });
    const b = encodeRecordBatch(sample().slice(0, 2), { baseOffset: 4 });
    const all = Buffer.concat([a, b, b.subarray(0, 30)]);
    const seen: number[] = [];
    forEachBatch(all, (pos, h) => seen.push(pos, h.baseOffset));
    expect(seen).toEqual([0, 0, a.length, 4]);
    expect(batchSizeAt(all, a.length)).toBe(b.length);
    expect(readBatchHeader(all, a.length).recordCount).toBe(2);
  });

  it('fails clearly for a codec it does not have', () => {
    const batch = encodeRecordBatch(sample());
    batch.writeInt16BE(2, BatchField.attributes); // claims snappy
    expect(() => decodeRecords(batch, 0, 'fetch from t-0')).toThrow(UnsupportedCompressionError);
    expect(() => decodeRecords(batch, 0, 'fetch from t-0')).toThrow(/snappy batch at fetch from t-0/);
  });

  it('reports a record whose lengths run past the batch', () => {
    const batch = encodeRecordBatch([{ key: null, value: Buffer.from('abc'), timestamp: T0 }]);
    batch[BatchField.recordsCount + 4] = 0x7e; // record length 63 > what is there
    expect(() => decodeRecords(batch, 0, 'x')).toThrow(/record 0 is malformed/);
  });
});
