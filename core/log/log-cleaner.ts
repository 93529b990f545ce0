/**
 * Log compaction (Kafka's `LogCleaner`) for topics whose `cleanup.policy` contains `compact`.
 *
 * One pass over a partition:
 *   1. The cleanable range is the prefix of closed segments whose newest record is at least
 *      `min.compaction.lag.ms` old and that end at or below the last stable offset (the active segment
 *      and open transactions are never touched).
 *   2. Build key -> latest offset over that range, ignoring batches of aborted transactions.
 *   3. Record in the cleaner checkpoint when each segment was first cleaned; tombstones (null values) of
 *      a segment are dropped once `delete.retention.ms` has passed since then.
 *   4. Rewrite each segment that loses a record: one output batch per input batch, keeping the records
 *      that are the latest for their key with their original offsets (base offset = first survivor), the
 *      batch's compression, timestamp type and producer fields (the base sequence moves with the base
 *      offset so every record keeps its sequence number). Keyless records are kept. Batches of aborted
 *      transactions are dropped whole; transaction markers are always kept (simpler than Kafka, which
 *      drops a marker once its transaction's data is gone).
 *   5. Swap it in crash-safely: `<base>.log.cleaned` (+ indexes) fsynced, renamed to `.swap`, old files
 *      deleted, swap renamed into place (see {@link PartitionLog.replaceSegment}; open finishes or
 *      discards an interrupted swap).
 */
import path from 'node:path';
import type { Clock } from '../time/clock.ts';
import type { PartitionLog } from './partition-log.ts';
import type { AbortedTxn } from './partition-transactions.ts';
import { LogCorruptedError } from '../errors/log-errors.ts';
import { decodeRecords, encodeRecordBatch, readBatchHeader, type BatchRecordInput } from './record-batch.ts';
import { policyCompacts } from './topic-config.ts';
import { LogSegment } from './log-segment.ts';
import { incrementSequence } from './producer-state-manager.ts';
import { readFileIfExistsSync, unlinkIfExistsSync, writeFileAtomicSync } from './atomic-file.ts';
import { CLEANED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, offsetFileName } from './segment-file-names.ts';

/** File in the partition directory: `<segment base offset> <first cleaned at ms>` per line. */
export const CLEANER_CHECKPOINT_FILE = 'cleaner-checkpoint';

/**
 * Compacts closed segments of compacted topics. The log manager schedules {@link clean}.
 *
 * @example
 * const cleaner = new LogCleaner(systemClock);
 * const reclaimed = await cleaner.clean(log); // bytes removed
 */
export class LogCleaner {
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * Runs one compaction pass over `log` inside its maintenance lock (see the steps above). Does nothing
   * unless the policy includes `compact`.
   *
   * @returns bytes reclaimed.
   * @throws LogCorruptedError when a segment to clean is damaged (it is left as it is); ClosedError.
   */
  clean(log: PartitionLog): Promise<number> {
    return log.withMaintenance(() => this.cleanLog(log));
  }

  private async cleanLog(log: PartitionLog): Promise<number> {
    const config = log.config;
    if (!policyCompacts(config.cleanupPolicy)) return 0;
    const now = this.clock.now();
    const closed = log.segments.slice(0, -1);
    let end = 0;
    const lso = log.lastStableOffset;
    while (end < closed.length && now - closed[end]!.maxTimestamp >= config.minCompactionLagMs && closed[end]!.nextOffset <= lso) end++;
    const cleanable = closed.slice(0, end);
    const firstCleaned = this.updateCheckpoint(log, cleanable, now);
    if (cleanable.length === 0) return 0;

    const aborted = new AbortedBatches(log.abortedTxnRanges());
    const latest = new Map<string, number>();
    for (const segment of cleanable) {
      forEachBatchOf(segment, (buf, at) => {
        const header = readBatchHeader(buf, at);
        if (header.isControl || aborted.contains(header.producerId, header.baseOffset, header.isTransactional)) return;
        for (const r of decodeRecords(buf, at, `${segment.logFile}`)) if (r.key !== null) latest.set(r.key.toString('latin1'), r.offset);
      });
      await yieldToEventLoop();
      if (!log.isOpen) return 0;
    }

    let reclaimed = 0;
    for (const segment of cleanable) {
      if (!log.isOpen) break;
      const dropTombstones = now - (firstCleaned.get(segment.baseOffset) ?? now) >= config.deleteRetentionMs;
      const cleaned = rewriteSegment(segment, latest, aborted, dropTombstones, now);
      if (cleaned !== null) {
        reclaimed += segment.size - cleaned.size;
        try {
          log.replaceSegment(segment, cleaned);
        } catch (error) {
          // Before the commit point the old segment is intact; after it, open completes the swap.
          if (cleaned.fileSuffix === CLEANED_SUFFIX) cleaned.deleteFiles();
          else cleaned.close();
          throw error;
        }
      }
      await yieldToEventLoop();
    }
    return reclaimed;
  }

  /** Reads the checkpoint, adds `now` for segments seen the first time, drops deleted segments. */
  private updateCheckpoint(log: PartitionLog, cleanable: readonly LogSegment[], now: number): Map<number, number> {
    const file = path.join(log.dir, CLEANER_CHECKPOINT_FILE);
    const times = new Map<number, number>();
    const text = readFileIfExistsSync(file)?.toString('utf8') ?? '';
    for (const line of text.split('\n')) {
      const [base, time] = line.trim().split(' ').map(Number);
      if (Number.isSafeInteger(base) && Number.isSafeInteger(time)) times.set(base!, time!);
    }
    const live = new Set(log.segments.map((s) => s.baseOffset));
    let changed = false;
    for (const base of [...times.keys()]) {
      if (!live.has(base)) changed = times.delete(base) || changed;
    }
    for (const segment of cleanable) {
      if (!times.has(segment.baseOffset)) {
        times.set(segment.baseOffset, now);
        changed = true;
      }
    }
    if (changed) {
      const lines = [...times].sort((a, b) => a[0] - b[0]).map(([b, t]) => `${b} ${t}\n`);
      writeFileAtomicSync(file, Buffer.from(lines.join('')));
    }
    return times;
  }
}

/** Whether a record survives: keyless, or the latest for its key and not an expired tombstone. */
function survives(key: Buffer | null, value: Buffer | null, offset: number, latest: Map<string, number>, dropTombstones: boolean): boolean {
  return key === null || (latest.get(key.toString('latin1')) === offset && (value !== null || !dropTombstones));
}

/** Aborted transactions by producer id, to find the batches compaction drops. */
class AbortedBatches {
  private readonly byProducer = new Map<number, AbortedTxn[]>();

  constructor(txns: readonly AbortedTxn[]) {
    for (const t of txns) {
      const list = this.byProducer.get(t.producerId);
      if (list) list.push(t);
      else this.byProducer.set(t.producerId, [t]);
    }
  }

  /** Whether a batch (transactional, of `producerId`, at `baseOffset`) belongs to an aborted transaction. */
  contains(producerId: number, baseOffset: number, isTransactional: boolean): boolean {
    if (!isTransactional || producerId < 0) return false;
    const list = this.byProducer.get(producerId);
    if (list === undefined) return false;
    for (const t of list) if (baseOffset >= t.firstOffset && baseOffset < t.lastOffset) return true;
    return false;
  }
}

/** Whether cleaning would remove any record of `segment` (stops at the first one). */
function hasRemovableRecords(segment: LogSegment, latest: Map<string, number>, aborted: AbortedBatches, dropTombstones: boolean): boolean {
  let removable = false;
  forEachBatchOf(segment, (buf, at) => {
    const header = readBatchHeader(buf, at);
    if (header.isControl) return true;
    if (aborted.contains(header.producerId, header.baseOffset, header.isTransactional)) {
      removable = true;
      return false;
    }
    for (const r of decodeRecords(buf, at, segment.logFile)) {
      if (!survives(r.key, r.value, r.offset, latest, dropTombstones)) {
        removable = true;
        return false;
      }
    }
    return true;
  });
  return removable;
}

/**
 * Writes the compacted copy of `segment` as `<base>.log.cleaned` (+ indexes, all fsynced), batch by batch
 * (memory stays at one batch), or returns null when no record would be removed.
 */
function rewriteSegment(
  segment: LogSegment,
  latest: Map<string, number>,
  aborted: AbortedBatches,
  dropTombstones: boolean,
  now: number,
): LogSegment | null {
  if (!hasRemovableRecords(segment, latest, aborted, dropTombstones)) return null;
  for (const ext of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    unlinkIfExistsSync(path.join(segment.dir, offsetFileName(segment.baseOffset, ext, CLEANED_SUFFIX)));
  }
  const cleaned = LogSegment.create(segment.dir, segment.baseOffset, segment.options, CLEANED_SUFFIX);
  try {
    forEachBatchOf(segment, (buf, at, size) => {
      const header = readBatchHeader(buf, at);
      if (header.isControl) {
        cleaned.append(buf.subarray(at, at + size), now);
        return true;
      }
      if (aborted.contains(header.producerId, header.baseOffset, header.isTransactional)) return true;
      const records = decodeRecords(buf, at, segment.logFile);
      const keep: BatchRecordInput[] = [];
      for (const r of records) {
        if (survives(r.key, r.value, r.offset, latest, dropTombstones)) {
          keep.push({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers, offset: r.offset });
        }
      }
      if (keep.length === records.length) {
        cleaned.append(buf.subarray(at, at + size), now);
        return true;
      }
      if (keep.length === 0) return true;
      const first = keep[0]!.offset!;
      cleaned.append(
        encodeRecordBatch(keep, {
          baseOffset: first,
          compression: header.compression,
          timestampType: header.timestampType,
          producerId: header.producerId,
          producerEpoch: header.producerEpoch,
          baseSequence: header.baseSequence < 0 ? -1 : incrementSequence(header.baseSequence, first - header.baseOffset),
          isTransactional: header.isTransactional,
          partitionLeaderEpoch: header.partitionLeaderEpoch,
        }),
        now,
      );
      return true;
    });
    // Keep the segment's largest timestamp (retention of compact,delete topics looks at it).
    const time = cleaned.timeIndex;
    if (segment.maxTimestamp > time.maxTimestamp) {
      time.maybeAppend(segment.maxTimestamp, Math.max(segment.timeIndex.offsetOfMaxTimestamp, time.offsetOfMaxTimestamp));
    }
    cleaned.writeIndexes(true);
    cleaned.fsyncSync();
  } catch (error) {
    cleaned.deleteFiles();
    throw error;
  }
  return cleaned;
}

/**
 * Calls `fn` with every CRC-checked batch of a segment (the buffer is reused); `fn` returns false to stop.
 *
 * @throws LogCorruptedError
 */
function forEachBatchOf(segment: LogSegment, fn: (buf: Buffer, at: number, size: number) => boolean | void): void {
  const walk = segment.walk(0, { verifyCrc: true, visit: (buf, at, _filePosition, size) => fn(buf, at, size) !== false });
  if (walk.problem !== null) throw new LogCorruptedError(segment.logFile, walk.end, walk.problem);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
