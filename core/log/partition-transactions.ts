/**
 * Transaction state of one partition (the transactional half of Kafka's `ProducerStateManager` plus its
 * `TransactionIndex`): the ongoing transaction of each producer (first offset), transactions whose marker
 * is written but not yet below the high watermark, and the aborted transactions a read_committed reader
 * must drop. Saved inside the producer-state snapshot and rebuilt by replaying the batches after it, so a
 * restart after SIGKILL gives the same answers.
 */
import { readInt64, writeInt64 } from './int64.ts';

/** One aborted transaction: its producer and offset range (the last offset is the abort marker's). */
export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

interface CompletedTxn {
  readonly firstOffset: number;
  readonly markerOffset: number;
}

/**
 * Ongoing, completing and aborted transactions of one partition.
 *
 * @example
 * const txns = new PartitionTransactions();
 * txns.begin(7, 100);
 * txns.firstUnstableOffset(); // 100
 * txns.end(7, 120, false);    // abort marker at 120
 * txns.abortedBetween(0, 200); // [{ producerId: 7, firstOffset: 100, lastOffset: 120 }]
 */
export class PartitionTransactions {
  /** producer id -> first offset of its ongoing transaction. */
  private readonly ongoing = new Map<number, number>();
  /** Ended transactions whose marker is not yet below the high watermark, in marker order. */
  private completing: CompletedTxn[] = [];
  /** Aborted transactions in marker (= last offset) order. */
  private aborted: AbortedTxn[] = [];
  /** The largest last - first offset of an aborted transaction: bounds the scan of {@link abortedBetween}. */
  private maxAbortedSpan = 0;
  /** Cached {@link firstUnstableOffset}; -2 when it must be recomputed. */
  private firstUnstable = -1;

  /** Number of ongoing transactions. */
  get ongoingCount(): number {
    return this.ongoing.size;
  }

  /** First offset of the producer's ongoing transaction, or -1. */
  ongoingFirstOffset(producerId: number): number {
    return this.ongoing.get(producerId) ?? -1;
  }

  /** Opens a transaction of `producerId` at `firstOffset` unless one is already ongoing. */
  begin(producerId: number, firstOffset: number): void {
    if (this.ongoing.has(producerId)) return;
    this.ongoing.set(producerId, firstOffset);
    if (this.firstUnstable === -1 || (this.firstUnstable >= 0 && firstOffset < this.firstUnstable)) this.firstUnstable = firstOffset;
  }

  /**
   * Ends the producer's ongoing transaction with a marker at `markerOffset`; an abort is recorded in the
   * aborted index. A marker with no ongoing transaction changes nothing.
   */
  end(producerId: number, markerOffset: number, commit: boolean): void {
    const first = this.ongoing.get(producerId);
    if (first === undefined) return;
    this.ongoing.delete(producerId);
    this.completing.push({ firstOffset: first, markerOffset });
    if (!commit) this.addAborted({ producerId, firstOffset: first, lastOffset: markerOffset });
    this.firstUnstable = -2;
  }

  private addAborted(t: AbortedTxn): void {
    this.aborted.push(t);
    if (t.lastOffset - t.firstOffset > this.maxAbortedSpan) this.maxAbortedSpan = t.lastOffset - t.firstOffset;
  }

  /** Forgets completed transactions whose marker is below `highWatermark` (they are stable now). */
  onHighWatermark(highWatermark: number): void {
    const c = this.completing;
    if (c.length === 0) return;
    let n = 0;
    while (n < c.length && c[n]!.markerOffset < highWatermark) n++;
    if (n > 0) this.firstUnstable = -2;
    if (n === c.length) this.completing = [];
    else if (n > 0) this.completing = c.slice(n);
    else {
      // markers can reach the high watermark out of first-offset order only together; a linear filter is rare
      const kept = c.filter((t) => t.markerOffset >= highWatermark);
      if (kept.length !== c.length) {
        this.completing = kept;
        this.firstUnstable = -2;
      }
    }
  }

  /** The first offset of the earliest unstable transaction (ongoing, or ended above the high watermark), or -1. */
  firstUnstableOffset(): number {
    if (this.firstUnstable !== -2) return this.firstUnstable;
    let min = -1;
    for (const first of this.ongoing.values()) if (min < 0 || first < min) min = first;
    for (const t of this.completing) if (min < 0 || t.firstOffset < min) min = t.firstOffset;
    this.firstUnstable = min;
    return min;
  }

  /**
   * Aborted transactions overlapping [fromOffset, upToOffset), in first-offset order.
   */
  abortedBetween(fromOffset: number, upToOffset: number): { producerId: number; firstOffset: number }[] {
    const a = this.aborted;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]!.lastOffset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    const out: { producerId: number; firstOffset: number }[] = [];
    // entries are in last-offset order; past last >= upTo + max span every first offset is >= upTo
    const stop = upToOffset + this.maxAbortedSpan;
    for (let i = lo; i < a.length; i++) {
      const t = a[i]!;
      if (t.lastOffset >= stop) break;
      if (t.firstOffset < upToOffset) out.push({ producerId: t.producerId, firstOffset: t.firstOffset });
    }
    if (out.length > 1) out.sort((x, y) => x.firstOffset - y.firstOffset);
    return out;
  }

  /** All aborted transactions, in marker order (for the cleaner and tests). */
  abortedTxns(): readonly AbortedTxn[] {
    return this.aborted;
  }

  /** Drops aborted transactions wholly below the log start offset (retention, DeleteRecords). */
  truncateBelow(logStartOffset: number): void {
    const a = this.aborted;
    let n = 0;
    while (n < a.length && a[n]!.lastOffset < logStartOffset) n++;
    if (n > 0) this.aborted = a.slice(n);
  }

  /** Drops everything (before a rebuild). */
  clear(): void {
    this.ongoing.clear();
    this.completing = [];
    this.aborted = [];
    this.maxAbortedSpan = 0;
    this.firstUnstable = -1;
  }

  /** Bytes {@link encodeInto} writes. */
  encodedSize(): number {
    return 8 + this.ongoing.size * 16 + this.aborted.length * 24;
  }

  /**
   * Writes ongoing (producer id, first offset) and aborted (producer id, first, last) transactions at `pos`;
   * returns the position after them. Completing transactions are saved as stable (a snapshot is written
   * only for offsets already below the high watermark or at a clean close).
   */
  encodeInto(buf: Buffer, pos: number): number {
    buf.writeUInt32BE(this.ongoing.size, pos);
    pos += 4;
    for (const [producerId, first] of this.ongoing) {
      pos = writeInt64(buf, pos, producerId);
      pos = writeInt64(buf, pos, first);
    }
    buf.writeUInt32BE(this.aborted.length, pos);
    pos += 4;
    for (const t of this.aborted) {
      pos = writeInt64(buf, pos, t.producerId);
      pos = writeInt64(buf, pos, t.firstOffset);
      pos = writeInt64(buf, pos, t.lastOffset);
    }
    return pos;
  }

  /** Reads what {@link encodeInto} wrote; returns the position after it, or -1 when the bytes are short. */
  decodeFrom(buf: Buffer, pos: number): number {
    this.clear();
    if (pos + 4 > buf.length) return -1;
    const ongoing = buf.readUInt32BE(pos);
    pos += 4;
    if (pos + ongoing * 16 + 4 > buf.length) return -1;
    for (let i = 0; i < ongoing; i++) {
      this.ongoing.set(readInt64(buf, pos), readInt64(buf, pos + 8));
      pos += 16;
    }
    this.firstUnstable = -2;
    const aborted = buf.readUInt32BE(pos);
    pos += 4;
    if (pos + aborted * 24 > buf.length) return -1;
    for (let i = 0; i < aborted; i++) {
      this.addAborted({ producerId: readInt64(buf, pos), firstOffset: readInt64(buf, pos + 8), lastOffset: readInt64(buf, pos + 16) });
      pos += 24;
    }
    return pos;
  }
}

