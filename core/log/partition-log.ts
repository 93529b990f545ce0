/**
 * One partition of a topic (Kafka's `UnifiedLog`): a directory of {@link LogSegment}s named by base
 * offset. Appends validate client-built RecordBatch v2 bytes, assign offsets, check idempotent-producer
 * sequences and write to the active segment with one positional `writeSync`; the returned promise resolves
 * as the {@link FlushPolicy} says. Reads return whole, CRC-checked batches from one segment.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../time/clock.ts';
import type {
  AbortedTransaction,
  AppendResult,
  FlushPolicy,
  IsolationLevel,
  PartitionLogApi,
  ReadOptions,
  ReadResult,
  RecoveryReport,
  TopicConfig,
} from './log-contracts.ts';
import {
  ClosedError,
  IllegalStateError,
  InvalidRecordError,
  OffsetOutOfRangeError,
  StorageError,
} from '../errors/log-errors.ts';
import {
  restampLogAppendTime,
  validateRecordBatch,
  writeBaseOffset,
  writePartitionLeaderEpoch,
} from './record-batch.ts';
import { checkClientBatch } from './client-batch-checks.ts';
import { findOffsetForTimestamp, segmentIndexFor, verifySegments } from './segment-search.ts';
import { LogSegment, type LogSegmentOptions } from './log-segment.ts';
import { ProducerStateManager, incrementSequence, type ProducerBatchMetadata } from './producer-state-manager.ts';
import { FlushScheduler } from './flush-scheduler.ts';
import { DataWaiters } from './data-waiters.ts';
import { CLEAN_SHUTDOWN_FILE, LOG_START_OFFSET_FILE, loadPartitionLog } from './partition-log-loader.ts';
import { fsyncDirSync, writeFileAtomicSync } from './atomic-file.ts';
import { swapSegmentFiles } from './segment-swap.ts';
import { encodeTxnMarkerBatch } from './control-batch.ts';
import type { AbortedTxn } from './partition-transactions.ts';

/** Default bytes of log between offset-index entries (Kafka's `index.interval.bytes`). */
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;

const MAX_RELATIVE_OFFSET = 0xffff_ffff;
const EMPTY = Buffer.alloc(0);

/** Options of {@link PartitionLog.open}. */
export interface PartitionLogOptions {
  /** The partition directory itself, `<root>/<topic>-<partition>`. */
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly config: TopicConfig;
  readonly clock: Clock;
  readonly flushPolicy: FlushPolicy;
  /** Bytes of log between offset-index entries. Default 4096. */
  readonly indexIntervalBytes?: number;
}

type LogState = 'open' | 'closing' | 'closed';

/**
 * The storage of one topic partition.
 *
 * @example
 * const log = await PartitionLog.open({ dir, topic: 'orders', partition: 0, config: DEFAULT_TOPIC_CONFIG,
 *   clock: systemClock, flushPolicy: { mode: 'always' } });
 * const { baseOffset } = await log.append(encodeRecordBatch([{ key: null, value: Buffer.from('v'), timestamp: 1 }]));
 * const { records } = log.read(baseOffset, 1 << 20);
 * await log.close();
 */
export class PartitionLog implements PartitionLogApi {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  /** What recovery found when the log was opened. */
  readonly recoveryReport: RecoveryReport;
  private currentConfig: TopicConfig;
  private readonly clock: Clock;
  private readonly segmentOptions: LogSegmentOptions;
  private readonly segmentList: LogSegment[];
  private active: LogSegment;
  private startOffset: number;
  private endOffset: number;
  private watermark: number;
  private readonly producers: ProducerStateManager;
  private readonly flusher: FlushScheduler;
  /** Set when an interval fsync failed: what was acknowledged may not be on disk, so appends stop. */
  private flushFailure: StorageError | null = null;
  private readonly waiters: DataWaiters;
  /** read_committed long polls: woken when the last stable offset passes their offset. */
  private readonly committedWaiters: DataWaiters;
  private readonly name: string;
  private state: LogState = 'open';
  private closing: Promise<void> | null = null;
  private maintenance: Promise<unknown> = Promise.resolve();

  private constructor(options: PartitionLogOptions, segmentOptions: LogSegmentOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.dir = options.dir;
    this.name = `${options.topic}-${options.partition}`;
    this.currentConfig = options.config;
    this.clock = options.clock;
    this.segmentOptions = segmentOptions;
    const loaded = loadPartitionLog({ dir: options.dir, topic: options.topic, partition: options.partition, clock: options.clock, segment: segmentOptions });
    this.segmentList = loaded.segments;
    this.active = loaded.segments[loaded.segments.length - 1]!;
    this.startOffset = loaded.logStartOffset;
    this.endOffset = this.active.nextOffset;
    this.watermark = this.endOffset;
    this.producers = loaded.producerState;
    this.recoveryReport = loaded.report;
    this.waiters = new DataWaiters(options.clock);
    this.committedWaiters = new DataWaiters(options.clock);
    this.flusher = new FlushScheduler({
      policy: options.flushPolicy,
      clock: options.clock,
      sync: (done) => this.syncActive(done),
      onDurable: (end) => this.advanceHighWatermark(end),
      onBackgroundError: (error) => {
        this.flushFailure = new StorageError(`Background fsync of ${this.name} failed; appends are refused until reopen: ${error.message}`, {
          cause: error,
        });
      },
    });
  }

  /**
   * Opens the partition directory (creating it if missing) and recovers it: an unclean shutdown gets its
   * active segment validated by CRC and a torn tail truncated; missing or inconsistent indexes are rebuilt.
   *
   * @throws LogCorruptedError when a closed segment is damaged; StorageError on filesystem failures.
   */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const segmentOptions = { indexIntervalBytes: options.indexIntervalBytes ?? DEFAULT_INDEX_INTERVAL_BYTES };
    return new PartitionLog(options, segmentOptions);
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get highWatermark(): number {
    return this.watermark;
  }

  /**
   * The last stable offset: the first offset of the earliest transaction still open (or ended by a marker
   * not yet below the high watermark), or the high watermark when there is none.
   */
  get lastStableOffset(): number {
    const first = this.producers.txns.firstUnstableOffset();
    return first >= 0 && first < this.watermark ? first : this.watermark;
  }

  get config(): TopicConfig {
    return this.currentConfig;
  }

  get sizeInBytes(): number {
    let size = 0;
    for (const s of this.segmentList) size += s.size;
    return size;
  }

  /** The segments by base offset; the last one is the active segment. For retention and the cleaner. */
  get segments(): readonly LogSegment[] {
    return this.segmentList;
  }

  /** The segment appends go to. */
  get activeSegment(): LogSegment {
    return this.active;
  }

  /** Whether the log accepts calls (not closing or closed). */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Replaces the topic configuration (takes effect from the next append, roll, retention or cleaning). */
  updateConfig(config: TopicConfig): void {
    this.ensureOpen();
    this.currentConfig = config;
  }

  /**
   * Appends one or more client-built batches (the buffer is modified in place: base offset, leader epoch
   * and, for LogAppendTime topics, the timestamp and CRC). All batches are checked before any is written.
   * The bytes are written before append returns and no reference to `batch` is kept, so the caller may
   * reuse its memory at once (the broker reads the next Produce request into it).
   * An idempotent retry of a batch still in the producer's last five is answered with the original offsets
   * and `duplicate: true`, and nothing is appended (Kafka answers the whole append with the first duplicate).
   *
   * @throws InvalidRecordError, RecordTooLargeError, OutOfOrderSequenceError, InvalidProducerEpochError,
   *   StorageError, ClosedError (as rejections).
   */
  append(batch: Buffer): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(new ClosedError(`Partition log ${this.name}`));
    if (this.flushFailure !== null) return Promise.reject(this.flushFailure);
    try {
      return this.appendBatches(batch);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      this.producers.clearPending();
    }
  }

  /**
   * Reads whole batches holding offsets >= `offset` from one segment: about `maxBytes`, at least one batch,
   * none starting at or beyond `maxOffset` (default: the high watermark). Every batch's framing is checked,
   * and its CRC unless `options.verifyCrc` is false. A compacted-away offset reads as the next surviving
   * batch.
   *
   * @throws OffsetOutOfRangeError when `offset` is below the log start or above the log end offset;
   *   LogCorruptedError naming file and byte position on a bad batch; ClosedError.
   */
  read(offset: number, maxBytes: number, options?: ReadOptions): ReadResult {
    this.ensureOpen();
    if (offset < this.startOffset || offset > this.endOffset) {
      throw new OffsetOutOfRangeError(this.topic, this.partition, offset, this.startOffset, this.endOffset);
    }
    const lso = this.lastStableOffset;
    const limit = options?.isolation === 'read_committed' ? lso : this.watermark;
    const maxOffset = Math.min(options?.maxOffset ?? limit, limit, this.endOffset);
    let records: Buffer = EMPTY;
    if (offset < maxOffset) {
      for (let i = segmentIndexFor(this.segmentList, offset); i < this.segmentList.length; i++) {
        const segment = this.segmentList[i]!;
        if (segment.baseOffset >= maxOffset) break;
        const position = segment.translateOffset(offset);
        if (position < 0) continue;
        records = segment.read(position, maxBytes, maxOffset, options);
        break;
      }
    }
    return { records, highWatermark: this.watermark, logStartOffset: this.startOffset, lastStableOffset: lso };
  }

  /**
   * The aborted transactions whose offset range overlaps [fromOffset, upToOffset), in first-offset order:
   * what Kafka's Fetch returns to a read_committed consumer so it can drop their records.
   *
   * @throws ClosedError.
   */
  abortedTransactions(fromOffset: number, upToOffset: number): AbortedTransaction[] {
    this.ensureOpen();
    return this.producers.txns.abortedBetween(fromOffset, upToOffset);
  }

  /** Every aborted transaction at or above the log start offset, in marker order (for the cleaner). */
  abortedTxnRanges(): readonly AbortedTxn[] {
    return this.producers.txns.abortedTxns();
  }

  /**
   * Appends one transaction marker (control batch: producer id and epoch, one control record with the
   * commit/abort type and the coordinator epoch) and ends the producer's ongoing transaction on this
   * partition; an abort is added to the aborted-transaction index. Durable per the flush policy like any
   * append. A marker for a producer with no ongoing transaction here is still written (as Kafka does) and
   * changes no transaction state. A newer epoch becomes the producer's epoch (fencing older producers).
   *
   * @throws InvalidProducerEpochError (as a rejection) when `producerEpoch` is older than the producer's
   *   current epoch on this partition; StorageError, ClosedError.
   */
  appendTxnMarker(producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(new ClosedError(`Partition log ${this.name}`));
    if (this.flushFailure !== null) return Promise.reject(this.flushFailure);
    try {
      this.producers.checkMarkerEpoch(producerId, producerEpoch);
      const now = this.clock.now();
      const batch = encodeTxnMarkerBatch(producerId, producerEpoch, commit, coordinatorEpoch, now);
      const offset = this.endOffset;
      writeBaseOffset(batch, 0, offset);
      writePartitionLeaderEpoch(batch, 0, 0);
      if (this.currentConfig.messageTimestampType === 'LogAppendTime') restampLogAppendTime(batch, 0, now);
      this.maybeRoll(batch.length, offset + 1, now);
      this.active.append(batch, now);
      this.producers.updateMarker(producerId, producerEpoch, offset, commit);
      const logAppendTime = this.currentConfig.messageTimestampType === 'LogAppendTime' ? now : -1;
      return this.acknowledge(offset + 1, { baseOffset: offset, lastOffset: offset, logAppendTime, recordCount: 1, duplicate: false });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The first offset (>= log start, below the high watermark) whose record timestamp is >= `timestamp`:
   * skips segments and batches by their largest timestamp, then decodes the one batch that holds it.
   *
   * @throws LogCorruptedError, ClosedError.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    this.ensureOpen();
    return findOffsetForTimestamp(this.segmentList, timestamp, this.startOffset, this.watermark);
  }

  /**
   * Validates every batch of every segment (closed ones included) by CRC and framing: the full validation
   * open does not do for closed segments. Returns the number of batches checked.
   *
   * @throws LogCorruptedError naming the file and byte position of the first bad batch; ClosedError.
   */
  verifyIntegrity(): number {
    this.ensureOpen();
    return verifySegments(this.segmentList);
  }

  /**
   * Raises the log start offset to `offset` (Kafka's DeleteRecords; -1 means the high watermark),
   * persists it, and deletes the segments wholly below it. Returns the new log start offset.
   *
   * @throws OffsetOutOfRangeError when `offset` is above the high watermark; ClosedError.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.withMaintenance(() => {
      const target = offset === -1 ? this.watermark : offset;
      if (target < 0 || target > this.watermark) {
        throw new OffsetOutOfRangeError(this.topic, this.partition, offset, this.startOffset, this.watermark);
      }
      if (target > this.startOffset) {
        this.startOffset = target;
        this.writeLogStartOffset();
        let n = 0;
        while (n + 1 < this.segmentList.length && this.segmentList[n + 1]!.baseOffset <= target) n++;
        this.removeOldestSegments(n);
        this.producers.txns.truncateBelow(this.startOffset);
      }
      return this.startOffset;
    });
  }

  /**
   * Resolves once the high watermark (read_committed: the last stable offset) is beyond `offset`, after
   * `timeoutMs` (clock time), or on close.
   */
  waitForData(offset: number, timeoutMs: number, isolation?: IsolationLevel): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new ClosedError(`Partition log ${this.name}`));
    if (isolation === 'read_committed') {
      if (this.lastStableOffset > offset) return Promise.resolve();
      return this.committedWaiters.wait(offset, timeoutMs);
    }
    if (this.watermark > offset) return Promise.resolve();
    return this.waiters.wait(offset, timeoutMs);
  }

  /** Fsyncs everything written so far (and, under `always`, moves the high watermark to the log end). */
  flush(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new ClosedError(`Partition log ${this.name}`));
    return this.flusher.flush(this.endOffset);
  }

  /**
   * Waits for running maintenance, flushes, writes the active segment's indexes, a producer-state snapshot
   * and the clean-shutdown marker, and closes the files. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing === null) this.closing = this.shutdown(true);
    return this.closing;
  }

  /** Closes the files (without a clean-shutdown marker) and removes the partition directory (topic deletion). */
  async delete(): Promise<void> {
    if (this.closing === null) this.closing = this.shutdown(false);
    await this.closing.catch(() => undefined);
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch (cause) {
      throw new StorageError(`Cannot delete partition directory ${this.dir}: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Runs `fn` after every earlier maintenance task (retention, cleaning, DeleteRecords) of this log, so they
   * never interleave; close waits for them.
   *
   * @throws ClosedError (as a rejection) when the log is closing or closed.
   */
  withMaintenance<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.state !== 'open') return Promise.reject(new ClosedError(`Partition log ${this.name}`));
    const run = this.maintenance.then(() => {
      if (this.state !== 'open') throw new ClosedError(`Partition log ${this.name}`);
      return fn();
    });
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  /**
   * Deletes the `count` oldest segments (never the active one), raising the log start offset to the base
   * offset of the first segment kept. Call inside {@link withMaintenance}. Returns how many were deleted.
   */
  deleteOldestSegments(count: number): number {
    const n = Math.min(count, this.segmentList.length - 1);
    if (n <= 0) return 0;
    const newStart = this.segmentList[n]!.baseOffset;
    if (newStart > this.startOffset) {
      this.startOffset = newStart;
      this.writeLogStartOffset();
    }
    this.removeOldestSegments(n);
    this.producers.txns.truncateBelow(this.startOffset);
    return n;
  }

  /**
   * Swaps a compacted copy in for a closed segment, crash-safely (see segment-swap.ts). `cleaned` holds the
   * same base offset, written with the `.cleaned` suffix, log and indexes fsynced. Call inside
   * {@link withMaintenance}.
   *
   * @throws IllegalStateError when `old` is not a closed segment of this log.
   */
  replaceSegment(old: LogSegment, cleaned: LogSegment): void {
    const i = this.segmentList.indexOf(old);
    if (i < 0 || old === this.active || cleaned.baseOffset !== old.baseOffset) {
      throw new IllegalStateError(`Segment ${old.logFile} is not a closed segment of ${this.name}`);
    }
    swapSegmentFiles(this.dir, old, cleaned);
    this.segmentList[i] = cleaned;
  }

  private appendBatches(batch: Buffer): Promise<AppendResult> {
    const config = this.currentConfig;
    const where = `produce to ${this.name}`;
    const source = { topic: this.topic, partition: this.partition, where };
    if (batch.length === 0) throw new InvalidRecordError(`${where}: no record batch`);
    const now = this.clock.now();
    const stampAppendTime = config.messageTimestampType === 'LogAppendTime';
    const firstOffset = this.endOffset;
    let offset = firstOffset;
    let records = 0;
    let idempotent: number[] | null = null;
    for (let p = 0; p < batch.length; ) {
      const header = validateRecordBatch(batch, p, where);
      checkClientBatch(batch, p, header, config, source);
      if (header.producerId >= 0) {
        const lastSeq = incrementSequence(header.baseSequence, header.lastOffsetDelta);
        const duplicate = this.producers.check(header.producerId, header.producerEpoch, header.baseSequence, lastSeq);
        if (duplicate !== null) return this.ackDuplicate(duplicate, header.recordCount);
        const txn = header.isTransactional ? 1 : 0;
        (idempotent ??= []).push(header.producerId, header.producerEpoch, header.baseSequence, lastSeq, offset, offset + header.recordCount - 1, txn);
      }
      writeBaseOffset(batch, p, offset);
      writePartitionLeaderEpoch(batch, p, 0);
      if (stampAppendTime) restampLogAppendTime(batch, p, now);
      offset += header.recordCount;
      records += header.recordCount;
      p += header.sizeInBytes;
    }
    this.maybeRoll(batch.length, offset, now);
    this.active.append(batch, now);
    if (idempotent !== null) {
      const txns = this.producers.txns;
      for (let i = 0; i < idempotent.length; i += 7) {
        const v = idempotent;
        this.producers.update(v[i]!, v[i + 1]!, v[i + 2]!, v[i + 3]!, v[i + 4]!, v[i + 5]!);
        if (v[i + 6] === 1) txns.begin(v[i]!, v[i + 4]!);
      }
    }
    return this.acknowledge(offset, {
      baseOffset: firstOffset,
      lastOffset: offset - 1,
      logAppendTime: stampAppendTime ? now : -1,
      recordCount: records,
      duplicate: false,
    });
  }

  /** Moves the log end offset to `end` after a write and resolves with `result` as the flush policy says. */
  private acknowledge(end: number, result: AppendResult): Promise<AppendResult> {
    this.endOffset = end;
    const ack = this.flusher.afterWrite(end);
    if (ack === null) {
      this.advanceHighWatermark(end);
      return Promise.resolve(result);
    }
    return ack.then(() => result);
  }

  private ackDuplicate(original: ProducerBatchMetadata, recordCount: number): Promise<AppendResult> {
    const result: AppendResult = {
      baseOffset: original.baseOffset,
      lastOffset: original.lastOffset,
      logAppendTime: -1,
      recordCount,
      duplicate: true,
    };
    if (this.watermark > original.lastOffset) return Promise.resolve(result);
    return this.flusher.flush(this.endOffset).then(() => result);
  }

  private maybeRoll(bytes: number, nextOffset: number, now: number): void {
    const active = this.active;
    if (active.size === 0) return;
    const config = this.currentConfig;
    if (
      active.size + bytes > config.segmentBytes ||
      now - active.firstAppendTime > config.segmentMs ||
      nextOffset - 1 - active.baseOffset > MAX_RELATIVE_OFFSET
    ) {
      this.roll(now);
    }
  }

  /** Closes the active segment (fsync, indexes written and fsynced, producer snapshot) and starts a new one. */
  private roll(_now: number): void {
    const old = this.active;
    old.fsyncSync();
    old.writeIndexes(true);
    this.producers.takeSnapshot(this.endOffset);
    const segment = LogSegment.create(this.dir, this.endOffset, this.segmentOptions);
    fsyncDirSync(this.dir);
    this.segmentList.push(segment);
    this.active = segment;
  }

  private syncActive(done: (error: Error | null) => void): void {
    const segment = this.active;
    segment.fsync((error) => {
      if (error === null || segment !== this.active || segment.isClosed) {
        done(null); // a rolled segment was fsynced by the roll itself
        return;
      }
      done(new StorageError(`fsync of ${segment.logFile} failed: ${error.message}`, { cause: error }));
    });
  }

  private advanceHighWatermark(end: number): void {
    if (end <= this.watermark) return;
    this.watermark = end;
    this.producers.txns.onHighWatermark(end);
    this.waiters.wake(end);
    if (this.committedWaiters.size > 0) this.committedWaiters.wake(this.lastStableOffset);
  }

  private removeOldestSegments(n: number): void {
    if (n <= 0) return;
    for (const segment of this.segmentList.splice(0, n)) segment.deleteFiles();
    fsyncDirSync(this.dir);
  }

  private writeLogStartOffset(): void {
    writeFileAtomicSync(path.join(this.dir, LOG_START_OFFSET_FILE), Buffer.from(`${this.startOffset}\n`));
  }

  private async shutdown(clean: boolean): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    try {
      await this.maintenance;
      this.flusher.stop();
      const flushed = this.flusher.flush(this.endOffset);
      if (!clean) await flushed.catch(() => undefined);
      else {
        await flushed;
        this.active.writeIndexes(true);
        this.producers.takeSnapshot(this.endOffset);
        writeFileAtomicSync(path.join(this.dir, CLEAN_SHUTDOWN_FILE), Buffer.from('clean\n'));
      }
    } finally {
      for (const segment of this.segmentList) segment.close();
      this.state = 'closed';
      this.waiters.wakeAll();
      this.committedWaiters.wakeAll();
    }
  }

  private ensureOpen(): void {
    if (this.state !== 'open') throw new ClosedError(`Partition log ${this.name}`);
  }
}
