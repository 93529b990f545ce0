/**
 * read_committed on the client side, as Kafka's consumer does it (`Fetcher.CompletedFetch`): the log
 * returns nothing at or past the last stable offset, and the list of transactions that were aborted in
 * the range read (`{ producerId, firstOffset }`). Walking the batches in offset order, an aborted
 * transaction becomes "ongoing" for its producer once a batch reaches its first offset; transactional
 * batches of an ongoing producer are skipped; the producer's next control batch (the abort marker) ends
 * it. Control batches are never delivered anyway. One check per batch, nothing per record.
 */
import { BatchField } from '../../log/record-batch.ts';
import type { AbortedTransaction } from '../../log/log-contracts.ts';

const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const TWO_32 = 0x1_0000_0000;

/**
 * Decides, batch by batch, which batches of one fetched range belong to aborted transactions.
 *
 * @example
 * const filter = new AbortedTransactionFilter(log.abortedTransactions(from, read.lastStableOffset));
 * if (!filter.skips(buf, position, lastOffset, attributes)) decode(buf, position);
 */
export class AbortedTransactionFilter {
  private readonly aborted: AbortedTransaction[];
  private next = 0;
  private readonly ongoing = new Set<number>();

  constructor(aborted: readonly AbortedTransaction[]) {
    this.aborted = aborted.length > 1 ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : [...aborted];
  }

  /** Whether the filter can skip anything at all (no aborted transaction in range: nothing to check). */
  get empty(): boolean {
    return this.aborted.length === 0;
  }

  /**
   * Whether the batch at `position` of `buf` is to be skipped: a transactional batch of a producer whose
   * aborted transaction is open at this point, or any control batch. Call for every batch, in order.
   */
  skips(buf: Buffer, position: number, lastOffset: number, attributes: number): boolean {
    const list = this.aborted;
    while (this.next < list.length && list[this.next]!.firstOffset <= lastOffset) this.ongoing.add(list[this.next++]!.producerId);
    if ((attributes & TRANSACTIONAL_BIT) === 0) return (attributes & CONTROL_BIT) !== 0;
    if (this.ongoing.size === 0) return (attributes & CONTROL_BIT) !== 0;
    const producerId = buf.readInt32BE(position + BatchField.producerId) * TWO_32 + buf.readUInt32BE(position + BatchField.producerId + 4);
    if ((attributes & CONTROL_BIT) !== 0) {
      // One transaction per producer at a time: its next marker after the first offset is the abort marker.
      this.ongoing.delete(producerId);
      return true;
    }
    return this.ongoing.has(producerId);
  }
}
