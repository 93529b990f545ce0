/**
 * Kafka RecordBatch v2 (magic 2): the unit stored on disk and sent over the wire.
 *
 *   baseOffset: int64            (0)   rewritten by the log on append; not covered by the CRC
 *   batchLength: int32           (8)   bytes after this field
 *   partitionLeaderEpoch: int32  (12)  rewritten by the log; not covered by the CRC
 *   magic: int8 = 2              (16)
 *   crc: uint32                  (17)  CRC-32C of attributes .. end of batch
 *   attributes: int16            (21)  bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control
 *   lastOffsetDelta: int32       (23)
 *   baseTimestamp: int64         (27)
 *   maxTimestamp: int64          (35)
 *   producerId: int64            (43)
 *   producerEpoch: int16         (51)
 *   baseSequence: int32          (53)
 *   recordsCount: int32          (57)
 *   records                      (61)  possibly compressed as one block
 *
 * Record: length varint, attributes int8, timestampDelta varlong, offsetDelta varint, keyLength varint
 * (-1 = null), key, valueLength varint (-1 = null), value, headerCount varint, headers (keyLength varint,
 * key utf8, valueLength varint (-1 = null), value).
 */
import type { CompressionType, RecordHeader, TimestampType } from './log-contracts.ts';
import { crc32c } from './crc32c.ts';
import { sizeOfVarint, writeVarint, VarintReader } from './varint.ts';
import { COMPRESSION_CODEC_IDS, compress, compressionFromId, decompress } from './compression.ts';
import { InvalidRecordError } from '../errors/log-errors.ts';

/** Bytes of the batch header before the first record. */
export const RECORD_BATCH_OVERHEAD = 61;
/** Bytes before the CRC-covered part: baseOffset, length, leader epoch, magic, crc. */
const CRC_START = 21;
/** The only magic value Tributary reads and writes. */
export const MAGIC_V2 = 2;

/** Byte offsets of the header fields inside a batch. */
export const BatchField = {
  baseOffset: 0,
  length: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const;

const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const TWO_32 = 0x1_0000_0000;

/** A record to encode. `offset` (absolute) is used by the cleaner to keep original offsets. */
export interface BatchRecordInput {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: readonly RecordHeader[] | null;
  offset?: number;
}

/** Batch-level options of {@link encodeRecordBatch}. */
export interface EncodeBatchOptions {
  baseOffset?: number;
  compression?: CompressionType;
  timestampType?: TimestampType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
}

/** The decoded header of one batch. */
export interface RecordBatchHeader {
  baseOffset: number;
  /** Whole batch, including the 12-byte baseOffset + length prefix. */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
}

/** One decoded record. Keys and values are views into the batch bytes (or the decompressed block). */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4);
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

const EMPTY_HEADERS: readonly RecordHeader[] = Object.freeze([]);

function recordBodySize(r: BatchRecordInput, timestampDelta: number, offsetDelta: number): number {
  const keyLen = r.key === null ? -1 : r.key.length;
  const valueLen = r.value === null ? -1 : r.value.length;
  const headers = r.headers ?? EMPTY_HEADERS;
  let size =
    1 +
    sizeOfVarint(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    sizeOfVarint(keyLen) +
    (keyLen > 0 ? keyLen : 0) +
    sizeOfVarint(valueLen) +
    (valueLen > 0 ? valueLen : 0) +
    sizeOfVarint(headers.length);
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!;
    const kl = Buffer.byteLength(header.key, 'utf8');
    const vl = header.value === null ? -1 : header.value.length;
    size += sizeOfVarint(kl) + kl + sizeOfVarint(vl) + (vl > 0 ? vl : 0);
  }
  return size;
}

function writeRecords(
  buf: Buffer,
  pos: number,
  records: readonly BatchRecordInput[],
  bodySizes: Int32Array,
  baseTimestamp: number,
  baseOffset: number,
): number {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0;
    pos = writeVarint(buf, pos, r.timestamp - baseTimestamp);
    pos = writeVarint(buf, pos, r.offset === undefined ? i : r.offset - baseOffset);
    if (r.key === null) {
      pos = writeVarint(buf, pos, -1);
    } else {
      pos = writeVarint(buf, pos, r.key.length);
      pos += r.key.copy(buf, pos);
    }
    if (r.value === null) {
      pos = writeVarint(buf, pos, -1);
    } else {
      pos = writeVarint(buf, pos, r.value.length);
      pos += r.value.copy(buf, pos);
    }
    const headers = r.headers ?? EMPTY_HEADERS;
    pos = writeVarint(buf, pos, headers.length);
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!;
      const kl = Buffer.byteLength(header.key, 'utf8');
      pos = writeVarint(buf, pos, kl);
      pos += buf.write(header.key, pos, kl, 'utf8');
      if (header.value === null) {
        pos = writeVarint(buf, pos, -1);
      } else {
        pos = writeVarint(buf, pos, header.value.length);
        pos += header.value.copy(buf, pos);
      }
    }
  }
  return pos;
}

/**
 * Encodes records as one RecordBatch v2, CRC included. Offsets are relative to `baseOffset` (records may
 * carry absolute `offset`s, which must increase); the log rewrites `baseOffset` on append.
 *
 * @throws InvalidRecordError for an empty record list or non-increasing explicit offsets.
 * @example
 * const batch = encodeRecordBatch([{ key: null, value: Buffer.from('v'), timestamp: Date.now() }]);
 */
export function encodeRecordBatch(records: readonly BatchRecordInput[], options: EncodeBatchOptions = {}): Buffer {
  const n = records.length;
  if (n === 0) throw new InvalidRecordError('A record batch needs at least one record');
  const baseOffset = options.baseOffset ?? (records[0]!.offset ?? 0);
  const first = records[0]!;
  const baseTimestamp = first.timestamp;
  let maxTimestamp = baseTimestamp;
  const bodySizes = new Int32Array(n);
  let recordsSize = 0;
  let lastOffsetDelta = n - 1;
  let prevDelta = -1;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    const offsetDelta = r.offset === undefined ? i : r.offset - baseOffset;
    if (offsetDelta <= prevDelta) {
      throw new InvalidRecordError(`Record offsets must increase within a batch (record ${i}, offset ${r.offset})`);
    }
    prevDelta = offsetDelta;
    const body = recordBodySize(r, r.timestamp - baseTimestamp, offsetDelta);
    bodySizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  lastOffsetDelta = prevDelta;
  const compression = options.compression ?? 'none';
  let buf: Buffer;
  let end: number;
  if (compression === 'none') {
    buf = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + recordsSize);
    end = writeRecords(buf, RECORD_BATCH_OVERHEAD, records, bodySizes, baseTimestamp, baseOffset);
  } else {
    const plain = Buffer.allocUnsafe(recordsSize);
    writeRecords(plain, 0, records, bodySizes, baseTimestamp, baseOffset);
    const packed = compress(compression, plain);
    buf = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + packed.length);
    packed.copy(buf, RECORD_BATCH_OVERHEAD);
    end = buf.length;
  }
  let attributes = COMPRESSION_CODEC_IDS[compression];
  if (options.timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_BIT;
  if (options.isTransactional) attributes |= TRANSACTIONAL_BIT;
  if (options.isControl) attributes |= CONTROL_BIT;
  writeInt64(buf, 0, baseOffset);
  buf.writeInt32BE(end - 12, 8);
  buf.writeInt32BE(options.partitionLeaderEpoch ?? -1, 12);
  buf[16] = MAGIC_V2;
  buf.writeInt16BE(attributes, 21);
  buf.writeInt32BE(lastOffsetDelta, 23);
  writeInt64(buf, 27, baseTimestamp);
  writeInt64(buf, 35, maxTimestamp);
  writeInt64(buf, 43, options.producerId ?? -1);
  buf.writeInt16BE(options.producerEpoch ?? -1, 51);
  buf.writeInt32BE(options.baseSequence ?? -1, 53);
  buf.writeInt32BE(n, 57);
  buf.writeUInt32BE(crc32c(buf.subarray(CRC_START, end)), 17);
  return end === buf.length ? buf : buf.subarray(0, end);
}

/** Size of the batch at `position` (12 + its length field), or -1 if fewer than 12 bytes remain. */
export function batchSizeAt(buf: Buffer, position: number): number {
  if (position + 12 > buf.length) return -1;
  return 12 + buf.readInt32BE(position + 8);
}

/** Reads the header of the batch at `position` without checking its CRC. */
export function readBatchHeader(buf: Buffer, position: number): RecordBatchHeader {
  const attributes = buf.readInt16BE(position + 21);
  const baseOffset = readInt64(buf, position);
  const lastOffsetDelta = buf.readInt32BE(position + 23);
  return {
    baseOffset,
    sizeInBytes: 12 + buf.readInt32BE(position + 8),
    partitionLeaderEpoch: buf.readInt32BE(position + 12),
    magic: buf[position + 16]!,
    crc: buf.readUInt32BE(position + 17),
    attributes,
    compression: compressionFromId(attributes & 0x07, `batch at offset ${baseOffset}`),
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    lastOffsetDelta,
    baseTimestamp: readInt64(buf, position + 27),
    maxTimestamp: readInt64(buf, position + 35),
    producerId: readInt64(buf, position + 43),
    producerEpoch: buf.readInt16BE(position + 51),
    baseSequence: buf.readInt32BE(position + 53),
    recordCount: buf.readInt32BE(position + 57),
    lastOffset: baseOffset + lastOffsetDelta,
  };
}

/** Whether the stored CRC of the batch at `position` matches its bytes (the batch must be complete). */
export function batchCrcMatches(buf: Buffer, position: number): boolean {
  const size = batchSizeAt(buf, position);
  if (size < RECORD_BATCH_OVERHEAD || position + size > buf.length) return false;
  return buf.readUInt32BE(position + 17) === crc32c(buf.subarray(position + CRC_START, position + size));
}

/**
 * Checks the batch at `position`: complete, magic 2, sane length, record count, CRC-32C.
 *
 * @param where names the source in error messages, e.g. `"produce to orders-3"`.
 * @throws InvalidRecordError naming `where`, the byte position and what is wrong.
 */
export function validateRecordBatch(buf: Buffer, position: number, where: string): RecordBatchHeader {
  if (position + RECORD_BATCH_OVERHEAD > buf.length) {
    throw new InvalidRecordError(
      `${where}: truncated batch at byte ${position} (${buf.length - position} bytes, header needs ${RECORD_BATCH_OVERHEAD})`,
    );
  }
  const size = 12 + buf.readInt32BE(position + 8);
  if (size < RECORD_BATCH_OVERHEAD) {
    throw new InvalidRecordError(`${where}: batch at byte ${position} has impossible length ${size - 12}`);
  }
  if (position + size > buf.length) {
    throw new InvalidRecordError(
      `${where}: batch at byte ${position} declares ${size} bytes but only ${buf.length - position} remain`,
    );
  }
  const magic = buf[position + 16]!;
  if (magic !== MAGIC_V2) {
    throw new InvalidRecordError(`${where}: batch at byte ${position} has magic ${magic}; only magic 2 is supported`);
  }
  const stored = buf.readUInt32BE(position + 17);
  const actual = crc32c(buf.subarray(position + CRC_START, position + size));
  if (stored !== actual) {
    throw new InvalidRecordError(
      `${where}: CRC mismatch in batch at byte ${position} (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`,
    );
  }
  const header = readBatchHeader(buf, position);
  if (header.recordCount < 0 || header.lastOffsetDelta < 0 || header.lastOffsetDelta < header.recordCount - 1) {
    throw new InvalidRecordError(
      `${where}: batch at byte ${position} has record count ${header.recordCount} and last offset delta ${header.lastOffsetDelta}`,
    );
  }
  return header;
}

/** Rewrites the base offset of the batch at `position` (not covered by the CRC). */
export function writeBaseOffset(buf: Buffer, position: number, offset: number): void {
  writeInt64(buf, position, offset);
}

/** Rewrites the partition leader epoch of the batch at `position` (not covered by the CRC). */
export function writePartitionLeaderEpoch(buf: Buffer, position: number, epoch: number): void {
  buf.writeInt32BE(epoch, position + 12);
}

/** Stamps a LogAppendTime: sets the timestamp-type bit and maxTimestamp, then recomputes the CRC. */
export function restampLogAppendTime(buf: Buffer, position: number, time: number): void {
  const size = 12 + buf.readInt32BE(position + 8);
  buf.writeInt16BE(buf.readInt16BE(position + 21) | TIMESTAMP_TYPE_BIT, position + 21);
  writeInt64(buf, position + 35, time);
  buf.writeUInt32BE(crc32c(buf.subarray(position + CRC_START, position + size)), position + 17);
}

/** Calls `fn` for each complete batch in `buf` (concatenated batches, as read from a segment). */
export function forEachBatch(buf: Buffer, fn: (position: number, header: RecordBatchHeader) => void): void {
  let pos = 0;
  for (;;) {
    const size = batchSizeAt(buf, pos);
    if (size < RECORD_BATCH_OVERHEAD || pos + size > buf.length) return;
    fn(pos, readBatchHeader(buf, pos));
    pos += size;
  }
}

const reader = new VarintReader();

function corrupt(where: string, index: number): InvalidRecordError {
  return new InvalidRecordError(`${where}: record ${index} is malformed (lengths run past the batch)`);
}

/**
 * Decodes every record of the batch at `position`, decompressing when needed. LogAppendTime batches
 * report the batch's maxTimestamp for every record, as Kafka does.
 *
 * @throws InvalidRecordError when a record's lengths run past the batch; UnsupportedCompressionError.
 */
export function decodeRecords(buf: Buffer, position: number, where = `batch at byte ${position}`): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  decodeRecordsInto(buf, position, out, where);
  return out;
}

/** Like {@link decodeRecords} but appends to `out`; returns the number of records added. */
export function decodeRecordsInto(buf: Buffer, position: number, out: DecodedRecord[], where = `batch at byte ${position}`): number {
  const size = 12 + buf.readInt32BE(position + 8);
  const attributes = buf.readInt16BE(position + 21);
  const baseOffset = readInt64(buf, position);
  const baseTimestamp = readInt64(buf, position + 27);
  const logAppendTime = attributes & TIMESTAMP_TYPE_BIT ? readInt64(buf, position + 35) : -1;
  const count = buf.readInt32BE(position + 57);
  const codecId = attributes & 0x07;
  let data = buf;
  let pos = position + RECORD_BATCH_OVERHEAD;
  let end = position + size;
  if (codecId !== 0) {
    data = decompress(compressionFromId(codecId, where), buf.subarray(pos, end), where);
    pos = 0;
    end = data.length;
  }
  const r = reader;
  r.reset(data, pos, end);
  for (let i = 0; i < count; i++) {
    const length = r.readVarint();
    const recordEnd = r.pos + length;
    if (!(length >= 0) || recordEnd > end) throw corrupt(where, i);
    r.pos++; // attributes
    const timestampDelta = r.readVarint();
    const offsetDelta = r.readVarint();
    const keyLen = r.readVarint();
    let key: Buffer | null = null;
    if (keyLen >= 0) {
      if (r.pos + keyLen > recordEnd) throw corrupt(where, i);
      key = data.subarray(r.pos, r.pos + keyLen);
      r.pos += keyLen;
    }
    const valueLen = r.readVarint();
    let value: Buffer | null = null;
    if (valueLen >= 0) {
      if (r.pos + valueLen > recordEnd) throw corrupt(where, i);
      value = data.subarray(r.pos, r.pos + valueLen);
      r.pos += valueLen;
    }
    const headerCount = r.readVarint();
    if (!(headerCount >= 0)) throw corrupt(where, i);
    let headers: RecordHeader[] = EMPTY_HEADERS as RecordHeader[];
    if (headerCount > 0) {
      headers = [];
      for (let h = 0; h < headerCount; h++) {
        const kl = r.readVarint();
        if (!(kl >= 0) || r.pos + kl > recordEnd) throw corrupt(where, i);
        const hk = data.toString('utf8', r.pos, r.pos + kl);
        r.pos += kl;
        const vl = r.readVarint();
        let hv: Buffer | null = null;
        if (vl >= 0) {
          if (r.pos + vl > recordEnd) throw corrupt(where, i);
          hv = data.subarray(r.pos, r.pos + vl);
          r.pos += vl;
        }
        headers.push({ key: hk, value: hv });
      }
    }
    if (Number.isNaN(timestampDelta) || Number.isNaN(offsetDelta) || r.pos !== recordEnd) throw corrupt(where, i);
    out.push({
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime >= 0 ? logAppendTime : baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return count;
}

