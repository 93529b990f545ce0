/**
 * Idempotent-producer state of one partition (Kafka's `ProducerStateManager`): for every producer id its
 * epoch and the sequence/offset metadata of its last {@link MAX_BATCHES_PER_PRODUCER} batches, so a retried
 * batch is recognised and acknowledged with its original offsets, a gap is refused and a fenced epoch is
 * refused. Transactions (ongoing, aborted) live in its {@link PartitionTransactions}. The state is written to
 * `<offset>.snapshot` files and rebuilt on open from the newest snapshot plus the batches after it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidProducerEpochError, OutOfOrderSequenceError } from '../errors/log-errors.ts';
import { crc32c } from './crc32c.ts';
import { readFileIfExistsSync, unlinkIfExistsSync, writeFileAtomicSync } from './atomic-file.ts';
import { SNAPSHOT_SUFFIX, offsetFileName, parseOffsetFileName } from './segment-file-names.ts';
import { PartitionTransactions } from './partition-transactions.ts';
import { readInt64, writeInt64 } from './int64.ts';

/** Kafka keeps the metadata of the last five batches of each producer (max.in.flight.requests). */
export const MAX_BATCHES_PER_PRODUCER = 5;
/** Snapshots kept on disk; older ones are deleted when a new one is written. */
export const SNAPSHOTS_KEPT = 2;

const INT32_MAX = 0x7fff_ffff;
const SNAPSHOT_MAGIC_V1 = 0x54505331; // "TPS1": producers only
const SNAPSHOT_MAGIC = 0x54505332; // "TPS2": producers, then transactions
const SNAPSHOT_HEADER = 12; // magic u32, crc u32, producer count u32
const BATCH_BYTES = 24;

/** Sequence and offset range of one appended batch. */
export interface ProducerBatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

/** What the partition knows about one producer id. */
export interface ProducerStateEntry {
  readonly producerId: number;
  epoch: number;
  /** Oldest first, at most {@link MAX_BATCHES_PER_PRODUCER}. */
  readonly batches: ProducerBatchMetadata[];
}

/** Options of {@link ProducerStateManager}. */
export interface ProducerStateManagerOptions {
  /** The partition directory (snapshots live there). */
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * The sequence number after `seq + delta`, wrapping from 2^31-1 to 0 as Kafka's producer does.
 *
 * @example
 * incrementSequence(2147483647, 1); // 0
 */
export function incrementSequence(seq: number, delta: number): number {
  return seq > INT32_MAX - delta ? delta - (INT32_MAX - seq) - 1 : seq + delta;
}

/**
 * Per-producer idempotence state of a partition.
 *
 * @example
 * const psm = new ProducerStateManager({ dir, topic: 't', partition: 0 });
 * psm.check(7, 0, 0, 9);          // null: append it
 * psm.update(7, 0, 0, 9, 0, 9);   // after the write
 * psm.check(7, 0, 0, 9);          // { firstSeq: 0, lastSeq: 9, baseOffset: 0, lastOffset: 9 }: a duplicate
 */
export class ProducerStateManager {
  private readonly options: ProducerStateManagerOptions;
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** Epoch and last sequence of batches checked in the current append but not yet written. */
  private readonly pending = new Map<number, { epoch: number; lastSeq: number }>();
  /** Ongoing and aborted transactions of the partition. */
  readonly txns = new PartitionTransactions();

  constructor(options: ProducerStateManagerOptions) {
    this.options = options;
  }

  /** Number of producer ids with state. */
  get producerCount(): number {
    return this.producers.size;
  }

  /** The state of one producer id, if any. */
  entry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Checks a batch of an idempotent producer before it is appended. Checked batches of the same append
   * count as appended until {@link clearPending}. Kafka's rules: an older epoch is fenced; a newer epoch
   * starts again at sequence 0; a batch equal to one of the last five is a duplicate; otherwise the first
   * sequence must follow the last one. A producer id with no state accepts any first sequence.
   *
   * @returns null to append the batch, or the metadata of the original batch when it is a duplicate.
   * @throws InvalidProducerEpochError, OutOfOrderSequenceError naming the partition, producer, sequences.
   */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): ProducerBatchMetadata | null {
    const entry = this.producers.get(producerId);
    const pending = this.pending.get(producerId);
    const currentEpoch = pending ? pending.epoch : entry ? entry.epoch : -1;
    const where = `${this.options.topic}-${this.options.partition}`;
    if (currentEpoch >= 0 && epoch < currentEpoch) {
      throw new InvalidProducerEpochError(
        `Producer ${producerId} on ${where} has epoch ${epoch}, older than the current epoch ${currentEpoch}: it was fenced`,
      );
    }
    if (epoch !== currentEpoch) {
      if (currentEpoch >= 0 && firstSeq !== 0) {
        throw new OutOfOrderSequenceError(
          `Producer ${producerId} on ${where} bumped epoch ${currentEpoch} -> ${epoch}: expected sequence 0, received ${firstSeq}`,
        );
      }
    } else {
      if (!pending && entry) {
        for (const b of entry.batches) {
          if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return b;
        }
      }
      const last = pending ? pending.lastSeq : entry && entry.batches.length > 0 ? entry.batches[entry.batches.length - 1]!.lastSeq : -1;
      if (last >= 0 && firstSeq !== incrementSequence(last, 1)) {
        throw new OutOfOrderSequenceError(
          `Producer ${producerId} on ${where} (epoch ${epoch}): expected sequence ${incrementSequence(last, 1)}, received ${firstSeq}`,
        );
      }
    }
    this.pending.set(producerId, { epoch, lastSeq });
    return null;
  }

  /**
   * Checks the epoch of a transaction marker: one older than the producer's current epoch is fenced.
   *
   * @throws InvalidProducerEpochError naming the partition, producer and epochs.
   */
  checkMarkerEpoch(producerId: number, epoch: number): void {
    const entry = this.producers.get(producerId);
    if (entry && epoch < entry.epoch) {
      throw new InvalidProducerEpochError(
        `Transaction marker for producer ${producerId} on ${this.options.topic}-${this.options.partition} has epoch ${epoch}, older than the current epoch ${entry.epoch}: it was fenced`,
      );
    }
  }

  /**
   * Records a transaction marker written at `offset` (also used on replay): a newer epoch replaces the
   * producer's epoch and forgets its batches; the producer's ongoing transaction ends.
   */
  updateMarker(producerId: number, epoch: number, offset: number, commit: boolean): void {
    const entry = this.producers.get(producerId);
    if (!entry) this.producers.set(producerId, { producerId, epoch, batches: [] });
    else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches.length = 0;
    }
    this.txns.end(producerId, offset, commit);
  }

  /** Forgets the batches checked since the last append (after a write or a failed append). */
  clearPending(): void {
    if (this.pending.size > 0) this.pending.clear();
  }

  /**
   * Records an appended batch (also used to replay batch headers on open, without checks): a newer epoch
   * resets the producer's batches; the oldest of more than five is dropped.
   */
  update(producerId: number, epoch: number, firstSeq: number, lastSeq: number, baseOffset: number, lastOffset: number): void {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { producerId, epoch, batches: [] };
      this.producers.set(producerId, entry);
    } else if (epoch !== entry.epoch) {
      entry.epoch = epoch;
      entry.batches.length = 0;
    }
    entry.batches.push({ firstSeq, lastSeq, baseOffset, lastOffset });
    if (entry.batches.length > MAX_BATCHES_PER_PRODUCER) entry.batches.shift();
  }

  /** Drops all state (before a rebuild from the log). */
  clear(): void {
    this.producers.clear();
    this.pending.clear();
    this.txns.clear();
  }

  /** Offsets of the snapshot files in the directory, ascending. */
  snapshotOffsets(): number[] {
    const out: number[] = [];
    for (const name of fs.readdirSync(this.options.dir)) {
      const parsed = parseOffsetFileName(name);
      if (parsed && parsed.extension === SNAPSHOT_SUFFIX && parsed.suffix === '') out.push(parsed.offset);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * Writes `<offset>.snapshot` (atomically: tmp, fsync, rename) holding the state of every batch below
   * `offset`, then deletes all but the newest {@link SNAPSHOTS_KEPT} snapshots.
   */
  takeSnapshot(offset: number): void {
    writeFileAtomicSync(this.snapshotFile(offset), this.encode());
    const offsets = this.snapshotOffsets();
    for (let i = 0; i < offsets.length - SNAPSHOTS_KEPT; i++) unlinkIfExistsSync(this.snapshotFile(offsets[i]!));
  }

  /**
   * Replaces the state with the newest readable snapshot at or below `maxOffset` (the log end offset);
   * deletes snapshots above it (they describe truncated data) and unreadable ones.
   *
   * @returns the loaded snapshot's offset (replay batches from there), or -1 when none could be loaded.
   */
  loadSnapshot(maxOffset: number): number {
    this.clear();
    const offsets = this.snapshotOffsets();
    for (let i = offsets.length - 1; i >= 0; i--) {
      const offset = offsets[i]!;
      const file = this.snapshotFile(offset);
      if (offset > maxOffset) {
        unlinkIfExistsSync(file);
        continue;
      }
      const bytes = readFileIfExistsSync(file);
      if (bytes && this.decode(bytes)) return offset;
      this.clear();
      unlinkIfExistsSync(file);
    }
    return -1;
  }

  private snapshotFile(offset: number): string {
    return path.join(this.options.dir, offsetFileName(offset, SNAPSHOT_SUFFIX));
  }

  private encode(): Buffer {
    let size = SNAPSHOT_HEADER;
    for (const e of this.producers.values()) size += 11 + e.batches.length * BATCH_BYTES;
    size += this.txns.encodedSize();
    const buf = Buffer.allocUnsafe(size);
    buf.writeUInt32BE(SNAPSHOT_MAGIC, 0);
    buf.writeUInt32BE(this.producers.size, 8);
    let p = SNAPSHOT_HEADER;
    for (const e of this.producers.values()) {
      p = writeInt64(buf, p, e.producerId);
      buf.writeInt16BE(e.epoch, p);
      buf[p + 2] = e.batches.length;
      p += 3;
      for (const b of e.batches) {
        buf.writeInt32BE(b.firstSeq, p);
        buf.writeInt32BE(b.lastSeq, p + 4);
        p = writeInt64(buf, p + 8, b.baseOffset);
        p = writeInt64(buf, p, b.lastOffset);
      }
    }
    this.txns.encodeInto(buf, p);
    buf.writeUInt32BE(crc32c(buf.subarray(8)), 4);
    return buf;
  }

  private decode(buf: Buffer): boolean {
    if (buf.length < SNAPSHOT_HEADER) return false;
    const magic = buf.readUInt32BE(0);
    if (magic !== SNAPSHOT_MAGIC && magic !== SNAPSHOT_MAGIC_V1) return false;
    if (buf.readUInt32BE(4) !== crc32c(buf.subarray(8))) return false;
    const count = buf.readUInt32BE(8);
    let p = SNAPSHOT_HEADER;
    for (let i = 0; i < count; i++) {
      if (p + 11 > buf.length) return false;
      const producerId = readInt64(buf, p);
      const epoch = buf.readInt16BE(p + 8);
      const n = buf[p + 10]!;
      p += 11;
      if (p + n * BATCH_BYTES > buf.length) return false;
      const batches: ProducerBatchMetadata[] = [];
      for (let j = 0; j < n; j++) {
        batches.push({
          firstSeq: buf.readInt32BE(p),
          lastSeq: buf.readInt32BE(p + 4),
          baseOffset: readInt64(buf, p + 8),
          lastOffset: readInt64(buf, p + 16),
        });
        p += BATCH_BYTES;
      }
      this.producers.set(producerId, { producerId, epoch, batches });
    }
    if (magic === SNAPSHOT_MAGIC) p = this.txns.decodeFrom(buf, p);
    return p === buf.length;
  }
}

