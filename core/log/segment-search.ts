/**
 * Searches over a partition's ordered list of segments: which segment holds an offset, the first offset at
 * or after a timestamp, and a full CRC validation of every segment.
 */
import { LogCorruptedError } from '../errors/log-errors.ts';
import { decodeRecords } from './record-batch.ts';
import type { LogSegment } from './log-segment.ts';

const TWO_32 = 0x1_0000_0000;

/** Index of the last segment whose base offset is <= `offset` (0 when `offset` is below all of them). */
export function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * The first offset in [`minOffset`, `maxOffset`) whose record timestamp is >= `timestamp`, or null. Skips
 * segments by their largest timestamp, starts inside a segment from its time index, skips batches by their
 * max timestamp and decodes only the batch that holds the answer (records in a batch need not be ordered
 * by time, so the answer is the first qualifying record of the first batch whose max timestamp qualifies).
 *
 * @throws LogCorruptedError when a batch on the way is damaged.
 */
export function findOffsetForTimestamp(
  segments: readonly LogSegment[],
  timestamp: number,
  minOffset: number,
  maxOffset: number,
): { offset: number; timestamp: number } | null {
  for (let i = segmentIndexFor(segments, minOffset); i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.baseOffset >= maxOffset) return null;
    if (segment.maxTimestamp < timestamp) continue;
    const position = segment.translateOffset(Math.max(segment.timeIndex.lookup(timestamp), minOffset));
    if (position < 0) continue;
    let found: { offset: number; timestamp: number } | null = null;
    let beyond = false;
    const walk = segment.walk(position, {
      verifyCrc: false,
      visit: (buf, at, filePosition) => {
        const base = buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
        if (base >= maxOffset) {
          beyond = true;
          return false;
        }
        const maxTs = buf.readInt32BE(at + 35) * TWO_32 + buf.readUInt32BE(at + 39);
        if (maxTs < timestamp || base + buf.readInt32BE(at + 23) < minOffset) return true;
        const bytes = segment.read(filePosition, 0, Infinity);
        for (const r of decodeRecords(bytes, 0, `${segment.logFile} at byte ${filePosition}`)) {
          if (r.timestamp >= timestamp && r.offset >= minOffset && r.offset < maxOffset) {
            found = { offset: r.offset, timestamp: r.timestamp };
            return false;
          }
        }
        return true;
      },
    });
    if (found !== null) return found;
    if (walk.problem !== null) throw new LogCorruptedError(segment.logFile, walk.end, walk.problem);
    if (beyond) return null;
  }
  return null;
}

/**
 * Validates every batch of every segment by CRC and framing. Returns the number of batches checked.
 *
 * @throws LogCorruptedError naming the file and byte position of the first bad batch.
 */
export function verifySegments(segments: readonly LogSegment[]): number {
  let batches = 0;
  for (const segment of segments) {
    const walk = segment.walk(0, { verifyCrc: true, visit: () => void batches++ });
    if (walk.problem !== null) throw new LogCorruptedError(segment.logFile, walk.end, walk.problem);
    if (walk.end !== segment.size) throw new LogCorruptedError(segment.logFile, walk.end, 'bytes after the last batch');
  }
  return batches;
}
