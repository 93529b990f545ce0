/**
 * The record with the largest timestamp in a partition (ListOffsets v7, timestamp -3): batches are
 * skipped by their header's max timestamp, then the one batch that holds it is decoded. A batch whose
 * compression this process cannot decode answers with its last offset.
 */
import { BatchField, decodeRecords } from '../../log/record-batch.ts';
import type { PartitionLog } from '../../log/partition-log.ts';

const TWO_32 = 0x1_0000_0000;
const CHUNK_BYTES = 1 << 20;

/** Offset and timestamp of the (first) record with the largest timestamp below the high watermark, or null. */
export function offsetOfMaxTimestamp(log: PartitionLog): { offset: number; timestamp: number } | null {
  let best: { batch: Buffer; timestamp: number } | null = null;
  let offset = log.logStartOffset;
  const end = log.highWatermark;
  while (offset < end) {
    const { records } = log.read(offset, CHUNK_BYTES);
    if (records.length === 0) break;
    let position = 0;
    while (position + 12 <= records.length) {
      const size = 12 + records.readInt32BE(position + BatchField.length);
      if (position + size > records.length) break;
      const maxTimestamp = readInt64(records, position + BatchField.maxTimestamp);
      if (best === null || maxTimestamp > best.timestamp) {
        best = { batch: records.subarray(position, position + size), timestamp: maxTimestamp };
      }
      offset = readInt64(records, position) + records.readInt32BE(position + BatchField.lastOffsetDelta) + 1;
      position += size;
    }
    if (position === 0) break;
  }
  if (best === null) return null;
  try {
    for (const record of decodeRecords(best.batch, 0)) {
      if (record.timestamp === best.timestamp) return { offset: record.offset, timestamp: record.timestamp };
    }
  } catch {
    // Compressed with a codec this process lacks: fall through to the batch's last offset.
  }
  const base = readInt64(best.batch, 0);
  return { offset: base + best.batch.readInt32BE(BatchField.lastOffsetDelta), timestamp: best.timestamp };
}

function readInt64(buf: Buffer, position: number): number {
  return buf.readInt32BE(position) * TWO_32 + buf.readUInt32BE(position + 4);
}
