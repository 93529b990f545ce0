/**
 * Transaction markers (Kafka's control batches): a batch with the transactional and control attribute
 * bits set, the producer id and epoch of the transaction, and one control record.
 *
 *   key   = version int16 (0), type int16 (0 abort, 1 commit)
 *   value = version int16 (0), coordinatorEpoch int32
 *
 * Only the transaction coordinator writes them (through {@link PartitionLog.appendTxnMarker}); clients
 * skip them when they read.
 */
import { encodeRecordBatch } from './record-batch.ts';
import { VarintReader } from './varint.ts';

/** Control record type of an abort marker. */
export const CONTROL_TYPE_ABORT = 0;
/** Control record type of a commit marker. */
export const CONTROL_TYPE_COMMIT = 1;

const CONTROL_BIT = 0x20;
const COMPRESSION_MASK = 0x07;
const RECORDS_START = 61;

/**
 * Encodes one transaction marker batch (base offset 0; the log assigns it).
 *
 * @example
 * const marker = encodeTxnMarkerBatch(7, 0, true, 3, clock.now());
 */
export function encodeTxnMarkerBatch(
  producerId: number,
  producerEpoch: number,
  commit: boolean,
  coordinatorEpoch: number,
  timestamp: number,
): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT, 2);
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return encodeRecordBatch([{ key, value, timestamp }], {
    producerId,
    producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
  });
}

/** Whether the batch at `position` is a control batch (attributes bit 5). */
export function isControlBatchAt(buf: Buffer, position: number): boolean {
  return (buf.readInt16BE(position + 21) & CONTROL_BIT) !== 0;
}

/**
 * The control type (0 abort, 1 commit) of the control batch at `position`, read from its first record's
 * key, or -1 when the batch is compressed or its key is not a control key.
 */
export function controlTypeAt(buf: Buffer, position: number): number {
  if ((buf.readInt16BE(position + 21) & COMPRESSION_MASK) !== 0) return -1;
  const end = position + 12 + buf.readInt32BE(position + 8);
  const reader = new VarintReader();
  reader.reset(buf, position + RECORDS_START, end);
  reader.readVarint(); // record length
  reader.pos += 1; // attributes
  reader.readVarint(); // timestamp delta
  reader.readVarint(); // offset delta
  const keyLength = reader.readVarint();
  if (!(keyLength >= 4) || reader.pos + 4 > end) return -1;
  return buf.readInt16BE(reader.pos + 2);
}
