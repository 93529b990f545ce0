/**
 * Checks a partition log applies to each batch a client appends, beyond the codec's own validation
 * (magic, sizes, CRC): `max.message.bytes`, consecutive offsets, no control batches (only the transaction
 * coordinator writes markers), transactional batches with a producer id, and a key on every
 * record of a compacted topic.
 */
import { InvalidRecordError, RecordTooLargeError } from '../errors/log-errors.ts';
import type { TopicConfig } from './log-contracts.ts';
import { decodeRecords, type RecordBatchHeader } from './record-batch.ts';
import { policyCompacts } from './topic-config.ts';

/** Where a batch comes from, for error messages. */
export interface ClientBatchSource {
  readonly topic: string;
  readonly partition: number;
  /** e.g. `produce to orders-0`. */
  readonly where: string;
}

/**
 * Checks one validated client batch at `position` against the topic config.
 *
 * @throws RecordTooLargeError over `max.message.bytes`; InvalidRecordError for an empty batch, gaps in
 *   offsets, a control batch, or (compacted topics) a record without a key.
 */
export function checkClientBatch(
  batch: Buffer,
  position: number,
  header: RecordBatchHeader,
  config: TopicConfig,
  source: ClientBatchSource,
): void {
  const { where } = source;
  if (header.sizeInBytes > config.maxMessageBytes) {
    throw new RecordTooLargeError(source.topic, source.partition, header.sizeInBytes, config.maxMessageBytes);
  }
  if (header.recordCount === 0 || header.lastOffsetDelta !== header.recordCount - 1) {
    throw new InvalidRecordError(
      `${where}: batch at byte ${position} has ${header.recordCount} records but last offset delta ${header.lastOffsetDelta}`,
    );
  }
  if (header.isControl) throw new InvalidRecordError(`${where}: clients may not append control batches (byte ${position})`);
  if (header.isTransactional && header.producerId < 0) {
    throw new InvalidRecordError(`${where}: transactional batch at byte ${position} has no producer id`);
  }
  if (header.producerId >= 0 && (header.baseSequence < 0 || header.producerEpoch < 0)) {
    throw new InvalidRecordError(`${where}: idempotent batch of producer ${header.producerId} has no sequence or epoch`);
  }
  if (policyCompacts(config.cleanupPolicy)) {
    const records = decodeRecords(batch, position, `${where}, batch at byte ${position}`);
    for (let i = 0; i < records.length; i++) {
      if (records[i]!.key === null) {
        throw new InvalidRecordError(`${where}: record ${i} of the batch at byte ${position} has no key, which a compacted topic requires`);
      }
    }
  }
}
