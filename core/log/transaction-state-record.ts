/**
 * Records of the compacted topic `__transaction_state`: key = the transactional id (UTF-8), value = the
 * coordinator's metadata of it in a small versioned binary layout (one record per state change; the
 * latest per key wins on load).
 *
 * ```
 * value (version 0) =>
 *   version INT8 (0), producer_id INT64, producer_epoch INT16, timeout_ms INT32, state INT8,
 *   started_at INT64, updated_at INT64,
 *   partitions INT32 count [topic STRING, partition INT32],
 *   groups INT32 count [group STRING, offsets INT32 count [topic STRING, partition INT32, offset INT64,
 *     metadata NULLABLE STRING]]
 * ```
 * (STRING = INT16 length + UTF-8, -1 length = null.)
 */
import { InvalidRecordError } from '../errors/log-errors.ts';
import {
  TRANSACTION_STATES,
  txnPartitionKey,
  type PendingTxnOffset,
  type TransactionMetadata,
} from './transaction-state.ts';
import { readInt64, writeInt64 } from './int64.ts';

const VALUE_VERSION = 0;

/**
 * Encodes the value of a `__transaction_state` record.
 *
 * @example
 * const value = encodeTransactionState(meta);
 * decodeTransactionState('my-app', value).producerEpoch === meta.producerEpoch; // true
 */
export function encodeTransactionState(meta: TransactionMetadata): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(1 + 8 + 2 + 4 + 1 + 8 + 8);
  let p = head.writeUInt8(VALUE_VERSION, 0);
  p = writeInt64(head, p, meta.producerId);
  p = head.writeInt16BE(meta.producerEpoch, p);
  p = head.writeInt32BE(meta.timeoutMs, p);
  p = head.writeUInt8(TRANSACTION_STATES.indexOf(meta.state), p);
  p = writeInt64(head, p, meta.startedAt);
  writeInt64(head, p, meta.updatedAt);
  parts.push(head, int32(meta.partitions.size));
  for (const tp of meta.partitions.values()) parts.push(str(tp.topic), int32(tp.partition));
  parts.push(int32(meta.pendingOffsets.size));
  for (const [group, offsets] of meta.pendingOffsets) {
    parts.push(str(group), int32(offsets.size));
    for (const o of offsets.values()) {
      const off = Buffer.allocUnsafe(8);
      writeInt64(off, 0, o.offset);
      parts.push(str(o.topic), int32(o.partition), off, str(o.metadata));
    }
  }
  return Buffer.concat(parts);
}

/**
 * Decodes the value of a `__transaction_state` record for `transactionalId`.
 *
 * @throws InvalidRecordError naming the transactional id for an unknown version or malformed bytes.
 */
export function decodeTransactionState(transactionalId: string, buf: Buffer): TransactionMetadata {
  try {
    const version = buf.readUInt8(0);
    if (version !== VALUE_VERSION) throw new RangeError(`unsupported version ${version}`);
    const r = { buf, pos: 1 };
    const producerId = readInt64(buf, r.pos);
    const producerEpoch = buf.readInt16BE(r.pos + 8);
    const timeoutMs = buf.readInt32BE(r.pos + 10);
    const state = TRANSACTION_STATES[buf.readUInt8(r.pos + 14)];
    if (state === undefined) throw new RangeError(`unknown state ${buf.readUInt8(r.pos + 14)}`);
    const startedAt = readInt64(buf, r.pos + 15);
    const updatedAt = readInt64(buf, r.pos + 23);
    r.pos += 31;
    const partitions = new Map<string, { topic: string; partition: number }>();
    for (let n = readInt32(r); n > 0; n--) {
      const topic = readStr(r)!;
      const partition = readInt32(r);
      partitions.set(txnPartitionKey(topic, partition), { topic, partition });
    }
    const pendingOffsets = new Map<string, Map<string, PendingTxnOffset>>();
    for (let g = readInt32(r); g > 0; g--) {
      const group = readStr(r)!;
      const offsets = new Map<string, PendingTxnOffset>();
      for (let n = readInt32(r); n > 0; n--) {
        const topic = readStr(r)!;
        const partition = readInt32(r);
        const offset = readInt64(buf, r.pos);
        r.pos += 8;
        const metadata = readStr(r);
        offsets.set(txnPartitionKey(topic, partition), { topic, partition, offset, metadata });
      }
      pendingOffsets.set(group, offsets);
    }
    if (r.pos !== buf.length) throw new RangeError(`${buf.length - r.pos} trailing bytes`);
    return { transactionalId, producerId, producerEpoch, timeoutMs, state, partitions, pendingOffsets, startedAt, updatedAt };
  } catch (cause) {
    throw new InvalidRecordError(`Malformed __transaction_state value for "${transactionalId}": ${(cause as Error).message}`, { cause });
  }
}

function int32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(value, 0);
  return b;
}

function str(value: string | null): Buffer {
  if (value === null) return Buffer.from([0xff, 0xff]);
  const bytes = Buffer.from(value, 'utf8');
  const b = Buffer.allocUnsafe(2 + bytes.length);
  b.writeInt16BE(bytes.length, 0);
  bytes.copy(b, 2);
  return b;
}

function readInt32(r: { buf: Buffer; pos: number }): number {
  const v = r.buf.readInt32BE(r.pos);
  r.pos += 4;
  return v;
}

function readStr(r: { buf: Buffer; pos: number }): string | null {
  const len = r.buf.readInt16BE(r.pos);
  r.pos += 2;
  if (len < 0) return null;
  if (r.pos + len > r.buf.length) throw new RangeError('string runs past the value');
  const s = r.buf.toString('utf8', r.pos, r.pos + len);
  r.pos += len;
  return s;
}

