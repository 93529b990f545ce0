/**
 * The buffer of one input partition of a task, as Kafka Streams' `RecordQueue`: raw consumed messages
 * in offset order; the head is deserialized and timestamped lazily (when the partition group looks at
 * it), so a record that does not deserialize is handled in processing order, and the timestamp extractor
 * sees the typed record. Records with a negative timestamp are dropped with a warning (Kafka's behaviour).
 */
import type { KafkaMessage } from '../clients/log-client.ts';
import type { RecordHeader } from '../log/log-contracts.ts';
import { toRecordHeaders } from '../clients/message-headers.ts';
import { Headers, Record } from '../processor/record.ts';
import type { SourceNode } from './source-node.ts';

/** What a queue reports to its task. */
export interface RecordQueueOwner {
  /**
   * A message did not deserialize. Returns normally to skip it (after a dead-letter send, say); throws to
   * stop processing.
   */
  onDeserializationError(queue: RecordQueue, message: KafkaMessage, offset: number, error: Error): void;
  /** A record was dropped for its negative timestamp. */
  onInvalidTimestamp(queue: RecordQueue, offset: number, timestamp: number): void;
}

const EMPTY_HEADERS: readonly RecordHeader[] = Object.freeze([]);

/** The offset of a consumed message as a number (the embedded log's messages carry it ready). */
export function offsetOf(m: KafkaMessage): number {
  const n = (m as { offsetNumber?: number }).offsetNumber;
  return n === undefined ? Number(m.offset) : n;
}

/** The timestamp of a consumed message as a number. */
export function timestampOf(m: KafkaMessage): number {
  const n = (m as { timestampNumber?: number }).timestampNumber;
  return n === undefined ? Number(m.timestamp) : n;
}

/**
 * The headers of a consumed message as the log's list (no copy when there are none). A message that
 * carries its list already (`recordHeaders`, the test driver's) keeps its exact order.
 */
export function headersOf(m: KafkaMessage): readonly RecordHeader[] {
  const list = (m as { recordHeaders?: readonly RecordHeader[] }).recordHeaders;
  if (list !== undefined) return list;
  const h = m.headers;
  if (h === undefined || h === null) return EMPTY_HEADERS;
  return toRecordHeaders(h, 'consumed message');
}

/**
 * One partition's queue.
 *
 * @example
 * queue.add(batch.messages, 100);
 * if (queue.ensureHead()) { process(queue.headRecord!); queue.poll(); }
 */
export class RecordQueue {
  private buffer: (KafkaMessage | undefined)[] = new Array(64);
  private start = 0;
  private count = 0;
  /** The deserialized head, or null when not prepared or empty. */
  headRecord: Record<unknown, unknown> | null = null;
  headOffset = -1;
  headTimestamp = -1;
  /** The largest timestamp seen on this partition (-1 before the first). */
  partitionTime = -1;
  /** The last offset taken out of the queue (processed or skipped); -1 before the first. */
  consumedOffset = -1;
  /** The partition's high watermark as last reported by a fetch (-1 unknown). */
  highWatermark = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: SourceNode,
    private readonly owner: RecordQueueOwner,
  ) {}

  /** Raw messages plus the prepared head. */
  get size(): number {
    return this.count + (this.headRecord === null ? 0 : 1);
  }

  /** Appends fetched messages (in offset order); returns the new size. */
  add(messages: readonly KafkaMessage[], highWatermark: number): number {
    if (highWatermark > this.highWatermark) this.highWatermark = highWatermark;
    const n = messages.length;
    if (n > 0 && this.consumedOffset < 0 && this.size === 0) this.consumedOffset = offsetOf(messages[0]!) - 1;
    if (this.count + n > this.buffer.length) this.grow(this.count + n);
    const cap = this.buffer.length;
    let at = (this.start + this.count) % cap;
    for (let i = 0; i < n; i++) {
      this.buffer[at] = messages[i];
      at = at + 1 === cap ? 0 : at + 1;
    }
    this.count += n;
    return this.size;
  }

  /**
   * Prepares the head: deserializes raw messages until one succeeds (failures go to the owner) and
   * extracts its timestamp. Returns whether a head is ready.
   */
  ensureHead(): boolean {
    if (this.headRecord !== null) return true;
    while (this.count > 0) {
      const m = this.take();
      const offset = offsetOf(m);
      const source = this.source;
      const headers = headersOf(m);
      let key: unknown;
      let value: unknown;
      try {
        key = source.deserializeKey(this.topic, this.partition, offset, m.key, headers);
        value = source.deserializeValue(this.topic, this.partition, offset, m.value, headers);
      } catch (error) {
        this.consumedOffset = offset;
        this.owner.onDeserializationError(this, m, offset, error as Error);
        continue;
      }
      const recordHeaders = new Headers(headers);
      let timestamp = timestampOf(m);
      const extractor = source.timestampExtractor;
      if (extractor !== null) {
        timestamp = extractor(
          { topic: this.topic, partition: this.partition, offset, timestamp, key, value, headers: recordHeaders },
          this.partitionTime,
        );
      }
      if (!(timestamp >= 0)) {
        this.consumedOffset = offset;
        this.owner.onInvalidTimestamp(this, offset, timestamp);
        continue;
      }
      this.headRecord = new Record(key, value, timestamp, recordHeaders);
      this.headOffset = offset;
      this.headTimestamp = timestamp;
      if (timestamp > this.partitionTime) this.partitionTime = timestamp;
      return true;
    }
    return false;
  }

  /** Removes the prepared head (after it was processed). */
  poll(): void {
    this.consumedOffset = this.headOffset;
    this.headRecord = null;
  }

  /** Drops everything buffered (revocation, close). */
  clear(): void {
    this.buffer = new Array(64);
    this.start = 0;
    this.count = 0;
    this.headRecord = null;
  }

  /** Messages the partition still has beyond what was processed, by the last known high watermark. */
  lag(): number {
    if (this.highWatermark < 0) return 0;
    return Math.max(0, this.highWatermark - (this.consumedOffset + 1));
  }

  private take(): KafkaMessage {
    const m = this.buffer[this.start]!;
    this.buffer[this.start] = undefined;
    this.start = this.start + 1 === this.buffer.length ? 0 : this.start + 1;
    this.count--;
    return m;
  }

  private grow(min: number): void {
    let cap = this.buffer.length * 2;
    while (cap < min) cap *= 2;
    const next: (KafkaMessage | undefined)[] = new Array(cap);
    for (let i = 0; i < this.count; i++) next[i] = this.buffer[(this.start + i) % this.buffer.length];
    this.buffer = next;
    this.start = 0;
  }
}
