/**
 * Decodes fetched RecordBatch v2 bytes into {@link EmbeddedKafkaMessage}s: the consumer's hot path.
 * One pass over each batch, one small object per record, no copies of keys or values, no per-record
 * closures; compressed batches are decompressed once and the messages point into the decompressed block.
 */
import { EmbeddedKafkaMessage } from './embedded-kafka-message.ts';
import { RECORD_BATCH_OVERHEAD } from '../../log/record-batch.ts';
import { VarintReader } from '../../log/varint.ts';
import { compressionFromId, decompress } from '../../log/compression.ts';
import { InvalidRecordError } from '../../errors/log-errors.ts';
import type { AbortedTransactionFilter } from './aborted-transaction-filter.ts';

const TWO_32 = 0x1_0000_0000;
const TIMESTAMP_TYPE_BIT = 0x08;
const CONTROL_BIT = 0x20;
const reader = new VarintReader();

function corrupt(where: string, index: number): InvalidRecordError {
  return new InvalidRecordError(`${where}: record ${index} is malformed (lengths run past the batch)`);
}

/**
 * Decodes the records of every complete batch in `buf` with offset >= `fromOffset` and appends them to
 * `out`. Control batches (transaction markers) yield no messages. LogAppendTime batches report the batch's
 * max timestamp for every record, as Kafka does.
 *
 * @param where names the source in error messages, e.g. `"fetch orders-3"`.
 * @param aborted read_committed: skips the batches of aborted transactions (null: read_uncommitted).
 * @returns the offset after the last batch seen (the next fetch position), or `fromOffset` if `buf` held
 *   no complete batch.
 * @throws InvalidRecordError when a record's lengths run past its batch; UnsupportedCompressionError.
 * @example
 * const out: EmbeddedKafkaMessage[] = [];
 * const next = decodeKafkaMessages(read.records, 42, out, 'fetch orders-0');
 */
export function decodeKafkaMessages(
  buf: Buffer,
  fromOffset: number,
  out: EmbeddedKafkaMessage[],
  where: string,
  aborted: AbortedTransactionFilter | null = null,
): number {
  let next = fromOffset;
  let position = 0;
  const length = buf.length;
  while (position + RECORD_BATCH_OVERHEAD <= length) {
    const size = 12 + buf.readInt32BE(position + 8);
    if (size < RECORD_BATCH_OVERHEAD || position + size > length) break;
    const baseOffset = buf.readInt32BE(position) * TWO_32 + buf.readUInt32BE(position + 4);
    const lastOffset = baseOffset + buf.readInt32BE(position + 23);
    if (lastOffset >= fromOffset) {
      const attributes = buf.readInt16BE(position + 21);
      if (aborted !== null ? !aborted.skips(buf, position, lastOffset, attributes) : (attributes & CONTROL_BIT) === 0) {
        decodeBatch(buf, position, size, attributes, baseOffset, fromOffset, out, where);
      }
      if (lastOffset + 1 > next) next = lastOffset + 1;
    }
    position += size;
  }
  return next;
}

function decodeBatch(
  buf: Buffer,
  position: number,
  size: number,
  attributes: number,
  baseOffset: number,
  fromOffset: number,
  out: EmbeddedKafkaMessage[],
  where: string,
): void {
  const baseTimestamp = buf.readInt32BE(position + 27) * TWO_32 + buf.readUInt32BE(position + 31);
  const logAppendTime =
    attributes & TIMESTAMP_TYPE_BIT ? buf.readInt32BE(position + 35) * TWO_32 + buf.readUInt32BE(position + 39) : -1;
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
    const lengthPos = r.pos;
    const recordLength = r.readVarint();
    const start = r.pos;
    const recordEnd = start + recordLength;
    if (!(recordLength >= 0) || recordEnd > end) throw corrupt(where, i);
    const recordAttributes = data[r.pos++]!;
    const timestampDelta = r.readVarint();
    const offsetDelta = r.readVarint();
    const keyLen = r.readVarint();
    const keyPos = r.pos;
    if (keyLen > 0) r.pos += keyLen;
    const valueLen = r.readVarint();
    const valuePos = r.pos;
    if (valueLen > 0) r.pos += valueLen;
    const headerCount = r.readVarint();
    const headerPos = r.pos;
    if (!(r.pos <= recordEnd) || !(headerCount >= 0) || Number.isNaN(keyLen) || Number.isNaN(valueLen)) {
      throw corrupt(where, i);
    }
    r.pos = recordEnd;
    const offset = baseOffset + offsetDelta;
    if (offset < fromOffset) continue;
    out.push(
      new EmbeddedKafkaMessage(
        data,
        keyPos,
        keyLen,
        valuePos,
        valueLen,
        headerPos,
        headerCount,
        offset,
        logAppendTime >= 0 ? logAppendTime : baseTimestamp + timestampDelta,
        recordAttributes,
        recordEnd - lengthPos,
      ),
    );
  }
}
