/**
 * Counters of the records a stateful operator dropped (Kafka Streams' `dropped-records` sensor): records
 * with a null key or value, which aggregations skip, and late records, which arrived after their
 * window closed (stream time >= window end + grace). One counter object per DSL operation, shared by
 * that operation's processors in every task of this process; read it from the table the operation
 * returned (`table.droppedRecords`).
 */

/**
 * What an operation dropped so far.
 *
 * @example
 * const counts = stream.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace('5m')).count();
 * // ... after processing
 * counts.droppedRecords.late; // records that arrived after their window closed
 */
export class DroppedRecords {
  /** Records skipped because their key (or, for aggregations, their value) was null. */
  nullKeyOrValue = 0;
  /** Records that arrived after their window(s) closed. */
  late = 0;

  /** All dropped records. */
  get total(): number {
    return this.nullKeyOrValue + this.late;
  }
}
