/**
 * One segment of a partition (Kafka's `LogSegment`): a `.log` file of concatenated RecordBatch v2 bytes
 * named by its base offset, with a sparse {@link OffsetIndex} (`.index`) and {@link TimeIndex}
 * (`.timeindex`). Appends go to the OS with positional `writeSync`; reads return whole batches with their
 * CRC verified. Index files are written when the segment is closed or its indexes rebuilt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LogCorruptedError, StorageError } from '../errors/log-errors.ts';
import { batchCrcMatches, MAGIC_V2, RECORD_BATCH_OVERHEAD } from './record-batch.ts';
import { OffsetIndex, writeIndexFile } from './offset-index.ts';
import { TimeIndex } from './time-index.ts';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, offsetFileName } from './segment-file-names.ts';
import { readFullySync, writeFullySync } from './segment-io.ts';
import { unlinkIfExistsSync } from './atomic-file.ts';
import { walkBatches, type SegmentWalk, type SegmentWalkOptions } from './segment-walk.ts';
import { readInt64 } from './int64.ts';

export type { SegmentWalk, SegmentWalkOptions } from './segment-walk.ts';

const HEADER = RECORD_BATCH_OVERHEAD;
const EMPTY = Buffer.alloc(0);
const scratch = Buffer.allocUnsafe(HEADER);

/** Options of a segment. */
export interface LogSegmentOptions {
  /** Bytes of log between two offset-index entries (Kafka's `index.interval.bytes`). */
  readonly indexIntervalBytes: number;
}

/** How {@link LogSegment.read} reads (the parts of the log's ReadOptions that concern a segment). */
export interface SegmentReadOptions {
  /** Check each batch's CRC-32C (default true). */
  readonly verifyCrc?: boolean;
  /** Returns a buffer of exactly `size` bytes to read into (default: a new one). */
  readonly allocate?: (size: number) => Buffer;
}

/** What {@link LogSegment.recover} did. */
export interface SegmentRecovery {
  /** Bytes cut off the end of the file. */
  readonly truncatedBytes: number;
  /** Index files whose content on disk was missing or wrong and was rewritten. */
  readonly rebuiltIndexes: string[];
}

/**
 * A `.log` file with its two indexes.
 *
 * @example
 * const seg = LogSegment.create(dir, 0, { indexIntervalBytes: 4096 });
 * seg.append(encodeRecordBatch([{ key: null, value: Buffer.from('v'), timestamp: 1 }]), 1);
 * seg.read(seg.translateOffset(0), 1 << 20, Infinity); // the batch bytes
 */
export class LogSegment {
  /** Offset of the first record this segment may hold; the files are named after it. */
  readonly baseOffset: number;
  /** Directory holding the files. */
  readonly dir: string;
  /** Sparse offset -> position index. */
  offsetIndex: OffsetIndex;
  /** Sparse timestamp -> offset index. */
  timeIndex: TimeIndex;
  /** Offset after the last batch (the base offset when empty). */
  nextOffset: number;
  /** Clock time of the first append (segment.ms rolling), or -1 while empty. */
  firstAppendTime = -1;
  /** The options the segment was made with. */
  readonly options: LogSegmentOptions;
  private readonly fd: number;
  private readonly indexIntervalBytes: number;
  private fileSize: number;
  private suffix: string;
  private bytesSinceIndexEntry = 0;
  private closed = false;

  private constructor(dir: string, baseOffset: number, fd: number, size: number, suffix: string, options: LogSegmentOptions) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.fd = fd;
    this.fileSize = size;
    this.suffix = suffix;
    this.options = options;
    this.indexIntervalBytes = options.indexIntervalBytes;
    this.offsetIndex = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
    this.nextOffset = baseOffset;
  }

  /**
   * Creates a new, empty segment (the files must not exist).
   *
   * @param suffix `''`, or `.cleaned` for a segment the cleaner is writing.
   * @throws StorageError when the file exists or cannot be created.
   */
  static create(dir: string, baseOffset: number, options: LogSegmentOptions, suffix = ''): LogSegment {
    const file = path.join(dir, offsetFileName(baseOffset, LOG_SUFFIX, suffix));
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx+');
    } catch (cause) {
      throw new StorageError(`Cannot create segment ${file}: ${(cause as Error).message}`, { cause });
    }
    return new LogSegment(dir, baseOffset, fd, 0, suffix, options);
  }

  /**
   * Opens an existing segment's `.log` file. Its indexes are empty until {@link loadIndexes} or
   * {@link recover} runs.
   *
   * @throws StorageError when the file cannot be opened.
   */
  static open(dir: string, baseOffset: number, options: LogSegmentOptions): LogSegment {
    const file = path.join(dir, offsetFileName(baseOffset, LOG_SUFFIX));
    let fd: number;
    try {
      fd = fs.openSync(file, 'r+');
    } catch (cause) {
      throw new StorageError(`Cannot open segment ${file}: ${(cause as Error).message}`, { cause });
    }
    return new LogSegment(dir, baseOffset, fd, fs.fstatSync(fd).size, '', options);
  }

  /** Path of the `.log` file. */
  get logFile(): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, LOG_SUFFIX, this.suffix));
  }

  /** Path of the `.index` file. */
  get indexFile(): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, INDEX_SUFFIX, this.suffix));
  }

  /** Path of the `.timeindex` file. */
  get timeIndexFile(): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, TIME_INDEX_SUFFIX, this.suffix));
  }

  /** Bytes in the `.log` file. */
  get size(): number {
    return this.fileSize;
  }

  /** Largest record timestamp in the segment, or -1 when it has none. */
  get maxTimestamp(): number {
    return this.timeIndex.maxTimestamp;
  }

  /** The suffix the files carry now: `''`, `.cleaned` or `.swap`. */
  get fileSuffix(): string {
    return this.suffix;
  }

  /** Whether {@link close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Writes already-validated batches (base offsets assigned) at the end of the file and indexes them.
   *
   * @param now clock time, remembered as the first append time of an empty segment.
   * @throws StorageError when the write fails (the file is cut back to its previous size).
   */
  append(batches: Buffer, now: number): void {
    const start = this.fileSize;
    try {
      writeFullySync(this.fd, batches, start, this.logFile);
    } catch (error) {
      try {
        fs.ftruncateSync(this.fd, start);
      } catch {
        // the original write error is the one to report
      }
      throw error;
    }
    let p = 0;
    while (p < batches.length) {
      const size = 12 + batches.readInt32BE(p + 8);
      const base = readInt64(batches, p);
      this.indexBatch(start + p, size, base, base + batches.readInt32BE(p + 23), readInt64(batches, p + 35));
      p += size;
    }
    this.fileSize = start + batches.length;
    if (this.firstAppendTime < 0) this.firstAppendTime = now;
  }

  /**
   * Finds the first batch holding an offset >= `offset`: looks up the floor index entry, then walks batch
   * headers. Returns its byte position, or -1 when no batch of this segment reaches `offset`.
   *
   * @throws LogCorruptedError when a header on the way is impossible.
   */
  translateOffset(offset: number): number {
    let pos = this.offsetIndex.lookup(offset);
    const file = this.logFile;
    while (pos < this.fileSize) {
      if (readFullySync(this.fd, scratch, 0, 27, pos, file) < 27) {
        throw new LogCorruptedError(file, pos, 'batch header runs past the end of the file');
      }
      const size = 12 + scratch.readInt32BE(8);
      if (size < HEADER || pos + size > this.fileSize) {
        throw new LogCorruptedError(file, pos, `impossible batch size ${size} (file has ${this.fileSize} bytes)`);
      }
      if (readInt64(scratch, 0) + scratch.readInt32BE(23) >= offset) return pos;
      pos += size;
    }
    return -1;
  }

  /**
   * Reads whole batches starting at byte `position` into one buffer: about `maxBytes` (at least one batch),
   * stopping before the first batch whose base offset is >= `maxOffset`. Checks every batch's size and
   * magic, and its CRC unless `options.verifyCrc` is false.
   *
   * @throws LogCorruptedError naming the file and byte position of a bad batch.
   */
  read(position: number, maxBytes: number, maxOffset: number, options?: SegmentReadOptions): Buffer {
    const file = this.logFile;
    const avail = this.fileSize - position;
    if (avail <= 0) return EMPTY;
    const allocate = options?.allocate;
    const verifyCrc = options?.verifyCrc !== false;
    let want = Math.min(avail, Math.max(maxBytes, HEADER));
    let buf = allocate === undefined ? Buffer.allocUnsafe(want) : allocate(want);
    if (readFullySync(this.fd, buf, 0, want, position, file) < want) {
      throw new LogCorruptedError(file, position, `file ends before byte ${position + want}`);
    }
    if (want < HEADER) throw new LogCorruptedError(file, position, 'batch header runs past the end of the file');
    const firstSize = 12 + buf.readInt32BE(8);
    if (firstSize < HEADER || firstSize > avail) {
      throw new LogCorruptedError(file, position, `impossible batch size ${firstSize}`);
    }
    if (firstSize > want) {
      const whole = allocate === undefined ? Buffer.allocUnsafe(firstSize) : allocate(firstSize);
      buf.copy(whole, 0, 0, want);
      if (readFullySync(this.fd, whole, want, firstSize - want, position + want, file) < firstSize - want) {
        throw new LogCorruptedError(file, position, `file ends inside the batch`);
      }
      buf = whole;
      want = firstSize;
    }
    let p = 0;
    while (p + 12 <= want) {
      const size = 12 + buf.readInt32BE(p + 8);
      if (size < HEADER) throw new LogCorruptedError(file, position + p, `impossible batch size ${size}`);
      if (p + size > want) break;
      if (readInt64(buf, p) >= maxOffset) break;
      if (buf[p + 16] !== MAGIC_V2) throw new LogCorruptedError(file, position + p, `bad magic ${buf[p + 16]}`);
      if (verifyCrc && !batchCrcMatches(buf, p)) throw new LogCorruptedError(file, position + p, 'CRC-32C mismatch');
      p += size;
    }
    return p === buf.length ? buf : buf.subarray(0, p);
  }

  /**
   * Walks batches from byte `from` to the end of the file, checking each one's framing (size, magic,
   * increasing offsets) and optionally its CRC; stops at the first bad batch and says why.
   */
  walk(from: number, options: SegmentWalkOptions): SegmentWalk {
    return walkBatches(this.fd, this.logFile, this.fileSize, from, options.minOffset ?? this.baseOffset, options);
  }

  /**
   * Loads the index files of a segment whose log is trusted (closed, or after a clean shutdown), checks
   * them against the log and finds the segment's end; rebuilds and rewrites any index that is missing or
   * inconsistent. Returns the paths of rebuilt index files.
   *
   * @param offsetBound an offset no entry may reach (the next segment's base offset); defaults to the
   *   offset after the last batch. A compacted segment may keep a time-index entry past its last batch.
   * @throws LogCorruptedError when the log itself is damaged (a rebuild walk finds a bad batch).
   */
  loadIndexes(offsetBound = -1): string[] {
    const loaded = OffsetIndex.load(this.indexFile, this.baseOffset, this.fileSize);
    if (loaded.index) {
      const index = loaded.index;
      const last = index.entries - 1;
      const from = index.lastPosition;
      const tail = this.walk(from, { verifyCrc: false, minOffset: last < 0 ? this.baseOffset : index.offsetAt(last) });
      if (tail.problem === null && tail.end === this.fileSize && (last < 0 || this.batchBaseAt(from) === index.offsetAt(last))) {
        this.offsetIndex = index;
        this.nextOffset = tail.nextOffset;
        this.bytesSinceIndexEntry = this.fileSize - from;
        const time = TimeIndex.load(this.timeIndexFile, this.baseOffset, Math.max(this.nextOffset, offsetBound));
        if (time.index) {
          this.timeIndex = time.index;
          return [];
        }
        this.rebuildIndexes();
        writeIndexFile(this.timeIndexFile, this.timeIndex.toBuffer(), true);
        return [this.timeIndexFile];
      }
    }
    this.rebuildIndexes();
    const rebuilt: string[] = [];
    if (!this.offsetIndex.matchesFile(this.indexFile)) rebuilt.push(this.indexFile);
    if (!this.timeIndex.matchesFile(this.timeIndexFile)) rebuilt.push(this.timeIndexFile);
    this.writeIndexes(true);
    return rebuilt;
  }

  /**
   * Validates every batch by CRC from the start, cuts the file at the first torn or corrupt batch
   * (ftruncate + fsync) and rebuilds both indexes from what is left. For the active segment after an
   * unclean shutdown.
   */
  recover(): SegmentRecovery {
    this.offsetIndex = new OffsetIndex(this.baseOffset);
    this.timeIndex = new TimeIndex(this.baseOffset);
    this.bytesSinceIndexEntry = 0;
    const walk = this.walk(0, {
      verifyCrc: true,
      visit: (buf, at, filePosition, size) => {
        const base = readInt64(buf, at);
        this.indexBatch(filePosition, size, base, base + buf.readInt32BE(at + 23), readInt64(buf, at + 35));
      },
    });
    this.nextOffset = walk.nextOffset;
    const truncatedBytes = this.fileSize - walk.end;
    if (truncatedBytes > 0) this.truncateTo(walk.end);
    const rebuiltIndexes: string[] = [];
    if (!this.offsetIndex.matchesFile(this.indexFile)) rebuiltIndexes.push(this.indexFile);
    if (!this.timeIndex.matchesFile(this.timeIndexFile)) rebuiltIndexes.push(this.timeIndexFile);
    this.writeIndexes(true);
    return { truncatedBytes, rebuiltIndexes };
  }

  /** Base offset of the batch at byte `position`. */
  batchBaseAt(position: number): number {
    if (readFullySync(this.fd, scratch, 0, 8, position, this.logFile) < 8) return -1;
    return readInt64(scratch, 0);
  }

  /** Max timestamp field of the first batch, or -1 when the segment is empty. */
  firstBatchMaxTimestamp(): number {
    if (this.fileSize < HEADER) return -1;
    readFullySync(this.fd, scratch, 0, HEADER, 0, this.logFile);
    return readInt64(scratch, 35);
  }

  /** Writes both index files from memory (fsynced when `sync`). */
  writeIndexes(sync: boolean): void {
    writeIndexFile(this.indexFile, this.offsetIndex.toBuffer(), sync);
    writeIndexFile(this.timeIndexFile, this.timeIndex.toBuffer(), sync);
  }

  /** Cuts the log file to `position` bytes and fsyncs it. */
  truncateTo(position: number): void {
    try {
      fs.ftruncateSync(this.fd, position);
      fs.fsyncSync(this.fd);
    } catch (cause) {
      throw new StorageError(`Cannot truncate ${this.logFile} to ${position} bytes: ${(cause as Error).message}`, { cause });
    }
    this.fileSize = position;
  }

  /** Fsyncs the log file now. @throws StorageError */
  fsyncSync(): void {
    try {
      fs.fsyncSync(this.fd);
    } catch (cause) {
      throw new StorageError(`Cannot fsync ${this.logFile}: ${(cause as Error).message}`, { cause });
    }
  }

  /** Fsyncs the log file in the background; `done` gets null or the error. */
  fsync(done: (error: Error | null) => void): void {
    fs.fsync(this.fd, done);
  }

  /**
   * Renames the three files to carry `suffix` (`''`, `.cleaned`, `.swap`): indexes first, the log last, so
   * the log's name is the commit point of a swap. Open descriptors stay valid.
   */
  renameFiles(suffix: string): void {
    const from = [this.indexFile, this.timeIndexFile, this.logFile];
    this.suffix = suffix;
    const to = [this.indexFile, this.timeIndexFile, this.logFile];
    for (let i = 0; i < 3; i++) {
      try {
        fs.renameSync(from[i]!, to[i]!);
      } catch (cause) {
        throw new StorageError(`Cannot rename ${from[i]} to ${to[i]}: ${(cause as Error).message}`, { cause });
      }
    }
  }

  /** Closes the file descriptor (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch (cause) {
      throw new StorageError(`Cannot close ${this.logFile}: ${(cause as Error).message}`, { cause });
    }
  }

  /** Closes the segment and deletes its files (the log first, so a crash never leaves a log without indexes that matter). */
  deleteFiles(): void {
    this.close();
    unlinkIfExistsSync(this.logFile);
    unlinkIfExistsSync(this.indexFile);
    unlinkIfExistsSync(this.timeIndexFile);
  }

  private rebuildIndexes(): void {
    this.offsetIndex = new OffsetIndex(this.baseOffset);
    this.timeIndex = new TimeIndex(this.baseOffset);
    this.bytesSinceIndexEntry = 0;
    const walk = this.walk(0, {
      verifyCrc: false,
      visit: (buf, at, filePosition, size) => {
        const base = readInt64(buf, at);
        this.indexBatch(filePosition, size, base, base + buf.readInt32BE(at + 23), readInt64(buf, at + 35));
      },
    });
    if (walk.problem !== null) throw new LogCorruptedError(this.logFile, walk.end, walk.problem);
    this.nextOffset = walk.nextOffset;
  }

  private indexBatch(position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    if (this.bytesSinceIndexEntry >= this.indexIntervalBytes) {
      this.offsetIndex.append(baseOffset, position);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    this.timeIndex.maybeAppend(maxTimestamp, baseOffset);
    this.nextOffset = lastOffset + 1;
  }
}
