/**
 * Durable storage of transaction coordinator state in the compacted internal topic
 * `__transaction_state` (Kafka's `TransactionStateManager`): one record per state change, keyed by
 * transactional id, in partition `abs(javaHashCode(id)) % partitions` (the rule of `__consumer_offsets`).
 */
import type { LogManagerApi } from './log-contracts.ts';
import { decodeRecords, encodeRecordBatch, forEachBatch } from './record-batch.ts';
import { offsetsPartitionFor } from './offset-store.ts';
import { TRANSACTION_STATE_TOPIC } from './topic-name.ts';
import { decodeTransactionState, encodeTransactionState } from './transaction-state-record.ts';
import type { TransactionMetadata } from './transaction-state.ts';

/**
 * Segment size of `__transaction_state`: 16 MiB instead of Kafka's 100 MiB
 * (`transaction.state.log.segment.bytes`), so compaction starts sooner and a restart reads less (about
 * five records per transaction).
 */
const STATE_TOPIC_SEGMENT_BYTES = String(16 << 20);
const READ_CHUNK_BYTES = 1 << 20;

/** Options of {@link TransactionStateLog}. */
export interface TransactionStateLogOptions {
  readonly logManager: LogManagerApi;
  /** Partitions of `__transaction_state` when it is created. */
  readonly partitions: number;
}

/**
 * Reads and appends `__transaction_state`.
 *
 * @example
 * const stateLog = new TransactionStateLog({ logManager, partitions: 1 });
 * const all = await stateLog.load();
 * await stateLog.write(meta, true); // durable (fsynced) before it resolves
 */
export class TransactionStateLog {
  private readonly logManager: LogManagerApi;
  private readonly wantedPartitions: number;

  constructor(options: TransactionStateLogOptions) {
    this.logManager = options.logManager;
    this.wantedPartitions = options.partitions;
  }

  /**
   * Creates the topic when missing, then reads every partition to its high watermark: the latest record
   * of each transactional id.
   *
   * @throws LogCorruptedError, InvalidRecordError on bad data.
   */
  async load(): Promise<Map<string, TransactionMetadata>> {
    const partitions = await this.ensureTopic();
    const out = new Map<string, TransactionMetadata>();
    for (let p = 0; p < partitions; p++) {
      const log = this.logManager.partition(TRANSACTION_STATE_TOPIC, p);
      let offset = log.logStartOffset;
      while (offset < log.highWatermark) {
        const { records } = log.read(offset, READ_CHUNK_BYTES);
        let next = offset;
        forEachBatch(records, (position, header) => {
          next = Math.max(next, header.lastOffset + 1);
          if (header.isControl) return;
          for (const record of decodeRecords(records, position, `${TRANSACTION_STATE_TOPIC}-${p} offset ${header.baseOffset}`)) {
            if (record.offset < offset || record.key === null) continue;
            const id = record.key.toString('utf8');
            if (record.value === null) out.delete(id);
            else out.set(id, decodeTransactionState(id, record.value));
          }
        });
        if (next <= offset) break;
        offset = next;
      }
    }
    return out;
  }

  /**
   * Appends the metadata of one transactional id; with `sync`, also fsyncs the partition before resolving
   * (the commit point of a two-phase commit).
   */
  async write(meta: TransactionMetadata, sync: boolean): Promise<void> {
    const partitions = await this.ensureTopic();
    const log = this.logManager.partition(TRANSACTION_STATE_TOPIC, offsetsPartitionFor(meta.transactionalId, partitions));
    const key = Buffer.from(meta.transactionalId, 'utf8');
    await log.append(encodeRecordBatch([{ key, value: encodeTransactionState(meta), timestamp: meta.updatedAt }]));
    if (sync) await log.flush();
  }

  private async ensureTopic(): Promise<number> {
    const existing = this.logManager.describeTopic(TRANSACTION_STATE_TOPIC);
    if (existing !== undefined) return existing.numPartitions;
    const created = await this.logManager.createTopic(TRANSACTION_STATE_TOPIC, {
      numPartitions: this.wantedPartitions,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': STATE_TOPIC_SEGMENT_BYTES },
      internal: true,
    });
    return created.numPartitions;
  }
}
