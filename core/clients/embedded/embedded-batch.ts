/**
 * The `batch` handed to `eachBatch`: the messages fetched from one partition in one fetch, with
 * kafkajs's offset and lag helpers. Offsets in the helpers are decimal strings, as in kafkajs.
 */
import type { Batch } from '../log-client.ts';
import type { EmbeddedKafkaMessage } from './embedded-kafka-message.ts';

/**
 * Messages of one partition from one fetch.
 *
 * @example
 * batch.lastOffset(); // '41'
 * batch.offsetLag();  // '0' when the batch reaches the high watermark
 */
export class EmbeddedBatch implements Batch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: EmbeddedKafkaMessage[];
  /** High watermark as a number. */
  readonly highWatermarkNumber: number;
  /** The offset the fetch started at. */
  readonly fetchedOffset: number;
  /** The offset after the last batch fetched (control batches and skipped records included). */
  readonly nextOffset: number;

  constructor(
    topic: string,
    partition: number,
    highWatermark: number,
    messages: EmbeddedKafkaMessage[],
    fetchedOffset: number,
    nextOffset: number,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.highWatermarkNumber = highWatermark;
    this.highWatermark = String(highWatermark);
    this.messages = messages;
    this.fetchedOffset = fetchedOffset;
    this.nextOffset = nextOffset;
  }

  isEmpty(): boolean {
    return this.messages.length === 0;
  }

  firstOffset(): string | null {
    return this.messages.length === 0 ? null : this.messages[0]!.offset;
  }

  /** Offset of the last message, or the last offset covered by the fetch when no message survived filtering. */
  lastOffset(): string {
    return String(this.lastOffsetNumber());
  }

  /** {@link EmbeddedBatch.lastOffset} as a number. */
  lastOffsetNumber(): number {
    const n = this.messages.length;
    if (n > 0) return this.messages[n - 1]!.offsetNumber;
    return this.nextOffset > this.fetchedOffset ? this.nextOffset - 1 : this.highWatermarkNumber - 1;
  }

  /** Lag after the last message: high watermark - 1 - last offset. */
  offsetLag(): string {
    return String(this.highWatermarkNumber - 1 - this.lastOffsetNumber());
  }

  /** Lag from the first message: high watermark - 1 - first offset ('0' when empty). */
  offsetLagLow(): string {
    if (this.messages.length === 0) return '0';
    return String(this.highWatermarkNumber - 1 - this.messages[0]!.offsetNumber);
  }
}
