/**
 * Restores the stores of new tasks from their changelogs (Kafka Streams' `StoreChangelogReader`), before
 * the tasks process anything. Per logged store:
 *
 * 1. the local state: the changelog offset the store's data reflects (`restoredOffset()` / checkpoint
 *    file), or none (in-memory store, a task arriving from another worker, missing or corrupt data:
 *    the store is wiped);
 * 2. the changelog's end offset (high watermark; under exactly-once the last stable offset, read
 *    read_committed so records of aborted transactions are skipped) is read once: restoration stops
 *    there (the task is the only writer of its changelog partition and it is not processing yet);
 * 3. local state beyond the end (the changelog was recreated) or before its log start (truncated by
 *    retention) is inconsistent: wiped, restore from the log start;
 * 4. the changelog is read from `local + 1` (or the log start) in large batches, each handed to the
 *    store's restore callback as it comes (the decoded records are passed as they are, no copy);
 * 5. progress is reported per batch (`restored` of `total`), and once with `done: true`.
 *
 * The reader fetches partitions directly (`fetch` of the embedded log, and of the kafkajs backend, which
 * sends Fetch requests to the partition leaders outside any group); a log client without it cannot restore.
 */
import type { LogClient } from '../clients/log-client.ts';
import type { TaskId } from '../processor/processor-context.ts';
import type { RestoreRecord } from '../processor/state-store.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import type { ProcessorStateManager, TaskStore } from './processor-state-manager.ts';

/** Restore progress of one store of one task. */
export interface RestoreProgress {
  /** The store name. */
  readonly store: string;
  /** The task (`0_1`). */
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  /** Changelog records replayed so far. */
  readonly restored: number;
  /** Changelog records to replay at most (end offset - start offset; compaction may leave fewer). */
  readonly total: number;
  /** The offset restoration started from. */
  readonly startOffset: number;
  /** Whether the store's restoration is complete. */
  readonly done: boolean;
}

/** One fetched changelog batch. */
export interface ChangelogBatch {
  readonly records: readonly (RestoreRecord & { readonly offset: number })[];
  readonly nextOffset: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly error?: Error;
}

/** Reads one changelog partition from an offset (whole batches, about `maxBytes`). */
export interface ChangelogFetcher {
  fetch(topic: string, partition: number, offset: number, maxBytes: number): Promise<ChangelogBatch>;
}

interface PartitionFetchClient {
  fetch(
    requests: readonly { topic: string; partition: number; offset: number; maxBytes: number }[],
    options: { maxWaitMs: number; isolationLevel?: 'read_committed' | 'read_uncommitted' },
  ): Promise<(ChangelogBatch & { readonly lastStableOffset?: number })[]>;
}

/**
 * The fetcher of a log client: direct partition reads when the client offers them (the embedded log).
 * With `readCommitted` (exactly-once) the reads are read_committed and a batch's `highWatermark` is the
 * partition's last stable offset: what restoration can reach.
 * @throws StreamsError for a client without partition reads
 */
export function changelogFetcherFor(client: LogClient, readCommitted = false): ChangelogFetcher {
  const direct = client as unknown as Partial<PartitionFetchClient>;
  if (typeof direct.fetch !== 'function') {
    return {
      fetch: () => Promise.reject(new StreamsError('Restoring a changelog needs partition reads (the embedded log); this log client has none')),
    };
  }
  const reader = direct as PartitionFetchClient;
  if (readCommitted) {
    return {
      async fetch(topic, partition, offset, maxBytes) {
        const [batch] = await reader.fetch([{ topic, partition, offset, maxBytes }], { maxWaitMs: 0, isolationLevel: 'read_committed' });
        const stable = batch!.lastStableOffset;
        return stable === undefined || batch!.highWatermark < 0 ? batch! : { ...batch!, highWatermark: stable };
      },
    };
  }
  return {
    async fetch(topic, partition, offset, maxBytes) {
      const [batch] = await reader.fetch([{ topic, partition, offset, maxBytes }], { maxWaitMs: 0 });
      return batch!;
    },
  };
}

/** Options of {@link StoreChangelogReader}. */
export interface StoreChangelogReaderOptions {
  /** Bytes per changelog fetch. Default 8 MiB. */
  readonly batchBytes?: number;
  readonly onProgress?: (progress: RestoreProgress) => void;
}

/**
 * Restores stores from changelogs.
 *
 * @example
 * const reader = new StoreChangelogReader(changelogFetcherFor(client), { onProgress: console.log });
 * await reader.restore(task.id, task.stateManager);
 */
export class StoreChangelogReader {
  private readonly batchBytes: number;

  constructor(
    private readonly fetcher: ChangelogFetcher,
    private readonly options: StoreChangelogReaderOptions = {},
  ) {
    this.batchBytes = options.batchBytes ?? 8 * 1024 * 1024;
  }

  /**
   * Restores every logged store of a task (steps in the file comment).
   * @param stillWanted checked between batches: false stops early (the task was revoked meanwhile)
   * @returns records replayed per store
   * @throws StreamsError when a changelog cannot be read
   */
  async restore(taskId: TaskId, state: ProcessorStateManager, stillWanted: () => boolean = () => true): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const entry of state.loggedStores()) {
      if (!stillWanted()) break;
      out.set(entry.name, await this.restoreStore(taskId, state, entry, stillWanted));
    }
    return out;
  }

  private async restoreStore(taskId: TaskId, state: ProcessorStateManager, entry: TaskStore, stillWanted: () => boolean): Promise<number> {
    const topic = entry.changelogTopic!;
    const partition = entry.partition;
    const task = `${taskId.subtopology}_${taskId.partition}`;
    // 1.
    const local = state.localOffset(entry);
    let offset = local === null ? 0 : local + 1;
    // 2.
    let batch = await this.fetchChecked(topic, partition, offset, task, entry.name);
    const end = batch.highWatermark;
    // 3.
    if (batch.error !== undefined || (local !== null && (local >= end || offset < batch.logStartOffset))) {
      state.wipe(entry);
      offset = batch.logStartOffset;
      batch = await this.fetchChecked(topic, partition, offset, task, entry.name);
    } else if (local !== null) {
      entry.offset = local;
    }
    if (batch.error !== undefined) throw new StreamsError(`Task ${task}: cannot restore store "${entry.name}" from ${topic}-${partition}@${offset}: ${batch.error.message}`, { cause: batch.error });
    const startOffset = offset;
    const total = Math.max(0, end - startOffset);
    const report = (restored: number, done: boolean): void =>
      this.options.onProgress?.({ store: entry.name, taskId: task, topic, partition, restored, total, startOffset, done });
    report(0, false);
    let restored = 0;
    // 4.
    const restore = entry.restore;
    while (offset < end && stillWanted()) {
      let records = batch.records;
      if (records.length > 0 && records[records.length - 1]!.offset >= end) records = records.filter((r) => r.offset < end);
      if (records.length > 0) {
        restore?.(records);
        restored += records.length;
        entry.offset = records[records.length - 1]!.offset;
      }
      if (batch.nextOffset <= offset) break; // nothing more readable below the end (should not happen)
      offset = batch.nextOffset;
      // 5.
      report(restored, false);
      if (offset >= end) break;
      batch = await this.fetchChecked(topic, partition, offset, task, entry.name);
      if (batch.error !== undefined) throw new StreamsError(`Task ${task}: cannot restore store "${entry.name}" from ${topic}-${partition}@${offset}: ${batch.error.message}`, { cause: batch.error });
    }
    if (end > 0 && offset >= end) entry.offset = end - 1;
    report(restored, true);
    return restored;
  }

  private async fetchChecked(topic: string, partition: number, offset: number, task: string, store: string): Promise<ChangelogBatch> {
    const batch = await this.fetcher.fetch(topic, partition, offset, this.batchBytes);
    if (batch.highWatermark < 0) {
      throw new StreamsError(`Task ${task}: changelog ${topic}-${partition} of store "${store}" cannot be read: ${batch.error?.message ?? 'unknown partition'}`, {
        cause: batch.error,
      });
    }
    return batch;
  }
}
