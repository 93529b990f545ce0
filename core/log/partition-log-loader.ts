/**
 * Opening a partition directory: finishes or discards an interrupted compaction swap, loads every
 * segment (checking indexes, rebuilding the ones that are missing or inconsistent), validates the active
 * segment batch by batch after an unclean shutdown and truncates a torn tail, reads the log start offset
 * checkpoint and rebuilds producer state from the newest snapshot plus the batch headers after it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../time/clock.ts';
import type { RecoveryReport } from './log-contracts.ts';
import { LogCorruptedError, StorageError } from '../errors/log-errors.ts';
import { LogSegment, type LogSegmentOptions } from './log-segment.ts';
import { completeInterruptedSwaps } from './segment-swap.ts';
import { ProducerStateManager, incrementSequence } from './producer-state-manager.ts';
import { CONTROL_TYPE_COMMIT, controlTypeAt } from './control-batch.ts';
import { fsyncDirSync, readFileIfExistsSync, TMP_SUFFIX, unlinkIfExistsSync } from './atomic-file.ts';
import {
  CLEANED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
  parseOffsetFileName,
} from './segment-file-names.ts';

/** Marker written by a clean close and removed on open. */
export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown';
/** Checkpoint of the log start offset (decimal text), written atomically. */
export const LOG_START_OFFSET_FILE = 'log-start-offset';

const TWO_32 = 0x1_0000_0000;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;

/** Options of {@link loadPartitionLog}. */
export interface PartitionLogLoadOptions {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly clock: Clock;
  readonly segment: LogSegmentOptions;
}

/** A loaded partition directory. */
export interface LoadedPartitionLog {
  /** Segments by base offset; the last one is active. Never empty. */
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly producerState: ProducerStateManager;
  readonly report: RecoveryReport;
}

/**
 * Loads (or creates) a partition directory, recovering from a crash.
 *
 * @throws LogCorruptedError when a closed segment is damaged; StorageError on filesystem failures.
 */
export function loadPartitionLog(options: PartitionLogLoadOptions): LoadedPartitionLog {
  const { dir } = options;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw new StorageError(`Cannot create partition directory ${dir}: ${(cause as Error).message}`, { cause });
  }
  const markerFile = path.join(dir, CLEAN_SHUTDOWN_FILE);
  const cleanShutdown = fs.existsSync(markerFile);
  const bases = prepareFiles(dir);
  const segments: LogSegment[] = [];
  const rebuiltIndexes: string[] = [];
  let truncatedBytes = 0;
  try {
    for (let i = 0; i < bases.length; i++) {
      const segment = LogSegment.open(dir, bases[i]!, options.segment);
      segments.push(segment);
      if (i < bases.length - 1) {
        rebuiltIndexes.push(...segment.loadIndexes(bases[i + 1]!));
        continue;
      }
      let recovered = false;
      if (cleanShutdown) {
        try {
          rebuiltIndexes.push(...segment.loadIndexes());
          recovered = true;
        } catch (error) {
          if (!(error instanceof LogCorruptedError)) throw error;
        }
      }
      if (!recovered) {
        const result = segment.recover();
        truncatedBytes += result.truncatedBytes;
        rebuiltIndexes.push(...result.rebuiltIndexes);
        segment.fsyncSync();
      }
    }
    if (segments.length === 0) {
      segments.push(LogSegment.create(dir, readLogStartOffset(dir), options.segment));
      fsyncDirSync(dir);
    }
  } catch (error) {
    for (const s of segments) s.close();
    throw error;
  }
  const active = segments[segments.length - 1]!;
  const logEndOffset = active.nextOffset;
  if (active.size > 0) {
    const first = active.firstBatchMaxTimestamp();
    const now = options.clock.now();
    active.firstAppendTime = first >= 0 ? Math.min(first, now) : now;
  }
  let logStartOffset = Math.min(Math.max(readLogStartOffset(dir), segments[0]!.baseOffset), logEndOffset);
  while (segments.length > 1 && segments[1]!.baseOffset <= logStartOffset) segments.shift()!.deleteFiles();
  logStartOffset = Math.max(logStartOffset, segments[0]!.baseOffset);
  const producerState = new ProducerStateManager(options);
  rebuildProducerState(producerState, segments, logEndOffset);
  producerState.txns.truncateBelow(logStartOffset);
  producerState.txns.onHighWatermark(logEndOffset); // everything recovered is below the high watermark
  if (unlinkIfExistsSync(markerFile)) fsyncDirSync(dir);
  return {
    segments,
    logStartOffset,
    producerState,
    report: { topic: options.topic, partition: options.partition, truncatedBytes, rebuiltIndexes, cleanShutdown },
  };
}

/** Reads the log start offset checkpoint (0 when absent or unreadable). */
export function readLogStartOffset(dir: string): number {
  const bytes = readFileIfExistsSync(path.join(dir, LOG_START_OFFSET_FILE));
  if (bytes === null) return 0;
  const value = Number(bytes.toString('utf8').trim());
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/**
 * Settles leftovers of a crash and lists segment base offsets: completes `.swap` segments (the cleaner
 * committed them), deletes `.cleaned` files (the old segment is still complete), temporary files and
 * index files whose log is gone.
 */
function prepareFiles(dir: string): number[] {
  let changed = completeInterruptedSwaps(dir);
  const names = fs.readdirSync(dir);
  const logs = new Set<number>();
  for (const name of names) {
    const parsed = parseOffsetFileName(name);
    if (parsed && parsed.extension === LOG_SUFFIX && parsed.suffix === '') logs.add(parsed.offset);
  }
  for (const name of names) {
    const parsed = parseOffsetFileName(name);
    const orphanIndex =
      parsed !== null &&
      parsed.suffix === '' &&
      (parsed.extension === INDEX_SUFFIX || parsed.extension === TIME_INDEX_SUFFIX) &&
      !logs.has(parsed.offset);
    const leftover = parsed !== null && (parsed.suffix === CLEANED_SUFFIX || parsed.suffix === SWAP_SUFFIX);
    if (orphanIndex || leftover || name.endsWith(TMP_SUFFIX)) {
      unlinkIfExistsSync(path.join(dir, name));
      changed = true;
    }
  }
  if (changed) fsyncDirSync(dir);
  return [...logs].sort((a, b) => a - b);
}

/**
 * Loads the newest usable snapshot and replays the batches after it: idempotent batch headers, the first
 * transactional batch of each transaction, and transaction markers (which end or abort it).
 */
function rebuildProducerState(state: ProducerStateManager, segments: readonly LogSegment[], logEndOffset: number): void {
  const from = Math.max(state.loadSnapshot(logEndOffset), 0);
  if (from >= logEndOffset) return;
  for (const segment of segments) {
    if (segment.nextOffset <= from) continue;
    const position = segment.baseOffset >= from ? 0 : segment.translateOffset(from);
    if (position < 0) continue;
    const walk = segment.walk(position, {
      verifyCrc: false,
      wholeBatches: true, // markers: the control type is in the record
      minOffset: 0,
      visit: (buf, at) => {
        const producerId = buf.readInt32BE(at + 43) * TWO_32 + buf.readUInt32BE(at + 47);
        const baseOffset = buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
        if (producerId < 0 || baseOffset < from) return;
        const attributes = buf.readInt16BE(at + 21);
        const epoch = buf.readInt16BE(at + 51);
        if ((attributes & CONTROL_BIT) !== 0) {
          state.updateMarker(producerId, epoch, baseOffset, controlTypeAt(buf, at) === CONTROL_TYPE_COMMIT);
          return;
        }
        if ((attributes & TRANSACTIONAL_BIT) !== 0) state.txns.begin(producerId, baseOffset);
        const lastDelta = buf.readInt32BE(at + 23);
        const baseSequence = buf.readInt32BE(at + 53);
        state.update(
          producerId,
          epoch,
          baseSequence,
          incrementSequence(baseSequence, lastDelta),
          baseOffset,
          baseOffset + lastDelta,
        );
      },
    });
    if (walk.problem !== null) throw new LogCorruptedError(segment.logFile, walk.end, walk.problem);
  }
}
