/**
 * The record collector of the real runtime: sink records are buffered per topic as kafkajs messages and
 * handed to the producer in one `sendBatch` per loop turn (or when `maxBufferedRecords` is reached), so the
 * producer batches per partition. Records without an explicit partition are partitioned by the producer
 * (murmur2 of the key bytes; sticky for a null key). A {@link StreamPartitioner} needs the topic's
 * partition count: known counts are cached; a record for a topic not seen yet waits until the count is
 * fetched (asynchronously, through the admin client) and is sent then, in order.
 *
 * A failed send goes to the production error handler: `continue` drops the records, `fail` makes the
 * next {@link LogRecordCollector.flush} (commit step 2) throw, and `failure` tells the runtime loop.
 * Under exactly-once the sender is the thread's {@link StreamsProducer}: every send joins the open
 * transaction.
 *
 * One `sendBatch` is in flight at a time; what is handed in meanwhile is buffered and goes out in one
 * batch when it is acknowledged. kafkajs does not order concurrent sends (it awaits metadata and locks
 * before it numbers a batch, so a later send can overtake an earlier one): a producer's first batch to a
 * changelog partition was seen holding the newest value of a window and its second batch the older
 * ones, so a restore ended on an older value and a worker taking over a killed worker's task lost
 * updates. Kafka's producer keeps per-partition order; so must this.
 */
import type { Admin, Message, RecordMetadata, TopicMessages } from '../clients/log-client.ts';
import { toIHeaders } from '../clients/message-headers.ts';
import type { RecordHeader } from '../log/log-contracts.ts';
import type { StreamPartitioner } from '../topology/physical-topology.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import { describeProduction, type HandlerResponse, type ProductionErrorContext } from './error-handlers.ts';
import { ANY_PARTITION, type RecordCollector } from './record-collector.ts';
import type { ProducerSender } from './streams-producer.ts';

/** Options of {@link LogRecordCollector}. */
export interface LogRecordCollectorOptions {
  /** Buffered records that trigger a send before the end of the loop turn. Default 10000. */
  readonly maxBufferedRecords?: number;
}

interface DeferredRecord {
  readonly topic: string;
  readonly message: Message;
  readonly partitioner: StreamPartitioner<unknown, unknown>;
  readonly typedKey: unknown;
  readonly typedValue: unknown;
}

/**
 * Batches sink records into a producer.
 *
 * @example
 * const collector = new LogRecordCollector(producer, admin, onProductionError);
 * collector.send('out', key, value, [], Date.now(), ANY_PARTITION);
 * await collector.flush();
 */
export class LogRecordCollector implements RecordCollector {
  private buffered = new Map<string, Message[]>();
  private bufferedCount = 0;
  private readonly outstanding = new Set<Promise<void>>();
  private inFlight = 0;
  /** Whether a `sendBatch` is in flight (the next one waits for it, so records keep their order). */
  private sending = false;
  private deferred: DeferredRecord[] = [];
  private readonly partitionCounts = new Map<string, number>();
  private readonly maxBufferedRecords: number;
  /** Tracked topic -> last acknowledged offset per partition (index = partition, -1 = none). */
  private readonly acked = new Map<string, number[]>();
  private lastTimestamp = Number.NaN;
  private lastTimestampString = 'NaN';
  /** The first send failure the production handler decided to fail on, or null. */
  failure: StreamsError | null = null;

  constructor(
    private readonly producer: ProducerSender,
    private readonly admin: Admin,
    private readonly onProductionError: (context: ProductionErrorContext) => HandlerResponse,
    options: LogRecordCollectorOptions = {},
  ) {
    this.maxBufferedRecords = options.maxBufferedRecords ?? 10_000;
  }

  /** Records handed in and not yet acknowledged (buffered, waiting for metadata, or in flight). */
  get pending(): number {
    return this.bufferedCount + this.deferred.length + this.inFlight;
  }

  /** Tells the collector a topic's partition count (the runtime does so for every known sink topic). */
  setPartitionCount(topic: string, count: number): void {
    this.partitionCounts.set(topic, count);
  }

  send(topic: string, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[], timestamp: number, partition: number): void {
    const message: Message = { key, value, timestamp: this.timestampString(timestamp) };
    if (headers.length > 0) message.headers = toIHeaders(headers);
    if (partition !== ANY_PARTITION) message.partition = partition;
    this.buffer(topic, message);
  }

  sendPartitioned(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[],
    timestamp: number,
    partitioner: StreamPartitioner<unknown, unknown>,
    typedKey: unknown,
    typedValue: unknown,
  ): void {
    const message: Message = { key, value, timestamp: this.timestampString(timestamp) };
    if (headers.length > 0) message.headers = toIHeaders(headers);
    const count = this.partitionCounts.get(topic);
    if (count === undefined || this.deferred.length > 0) {
      this.deferred.push({ topic, message, partitioner, typedKey, typedValue });
      return;
    }
    applyPartitioner(topic, message, partitioner, typedKey, typedValue, count);
    this.buffer(topic, message);
  }

  /** Sends what is buffered, unless a send is in flight (then it goes out once that one is acknowledged). */
  sendBuffered(): void {
    if (this.deferred.length > 0) this.track(this.resolveDeferred());
    if (this.bufferedCount === 0 || this.sending) return;
    const topicMessages: TopicMessages[] = [];
    for (const [topic, messages] of this.buffered) topicMessages.push({ topic, messages });
    const count = this.bufferedCount;
    this.buffered = new Map();
    this.bufferedCount = 0;
    this.inFlight += count;
    this.sending = true;
    this.track(
      this.producer.sendBatch({ topicMessages }).then(
        (metadata) => {
          this.inFlight -= count;
          if (this.acked.size > 0) this.noteOffsets(topicMessages, metadata);
          this.sent();
        },
        (error: unknown) => {
          this.inFlight -= count;
          for (const { topic, messages } of topicMessages) {
            this.onSendFailure({ error, phase: 'send', topic, partition: -1, records: messages.length, nodeName: null });
          }
          this.sent();
        },
      ),
    );
  }

  /** A send settled: the records buffered meanwhile go out now (tracked before this send is untracked). */
  private sent(): void {
    this.sending = false;
    if (this.bufferedCount > 0) this.sendBuffered();
  }

  /**
   * Sends what is buffered and waits until everything handed in so far is acknowledged.
   * @throws StreamsError when the production error handler decided to fail
   */
  async flush(): Promise<void> {
    this.sendBuffered();
    while (this.outstanding.size > 0 || this.bufferedCount > 0 || this.deferred.length > 0) {
      this.sendBuffered();
      await Promise.all([...this.outstanding]);
    }
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Exactly-once recovery (after the transaction was aborted): drops buffered and deferred records, waits
   * for the sends in flight to settle, then forgets the failure and the acknowledged changelog offsets.
   */
  async reset(): Promise<void> {
    this.buffered = new Map();
    this.bufferedCount = 0;
    this.deferred = [];
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
    this.failure = null;
    for (const topic of this.acked.keys()) this.acked.set(topic, []);
  }

  lastOffset(topic: string, partition: number): number {
    return this.acked.get(topic)?.[partition] ?? -1;
  }

  trackOffsets(topic: string): void {
    if (!this.acked.has(topic)) this.acked.set(topic, []);
  }

  /** The last offset of each tracked topic-partition of a send: its base offset + its message count - 1. */
  private noteOffsets(topicMessages: readonly TopicMessages[], metadata: readonly RecordMetadata[]): void {
    for (const { topic, messages } of topicMessages) {
      const offsets = this.acked.get(topic);
      if (offsets === undefined) continue;
      const counts: number[] = [];
      for (let i = 0; i < messages.length; i++) {
        const p = messages[i]!.partition ?? -1;
        if (p >= 0) counts[p] = (counts[p] ?? 0) + 1;
      }
      for (const m of metadata) {
        if (m.topicName !== topic) continue;
        const n = counts[m.partition];
        if (n === undefined) continue;
        const last = Number(m.baseOffset) + n - 1;
        if (last > (offsets[m.partition] ?? -1)) offsets[m.partition] = last;
      }
    }
  }

  /**
   * The message timestamp as a string, the last one reused: a flushed cache entry goes to the changelog
   * and downstream with the same timestamp, and converting a 13-digit number is not free.
   */
  private timestampString(timestamp: number): string {
    if (timestamp !== this.lastTimestamp) {
      this.lastTimestamp = timestamp;
      this.lastTimestampString = String(timestamp);
    }
    return this.lastTimestampString;
  }

  private buffer(topic: string, message: Message): void {
    let list = this.buffered.get(topic);
    if (list === undefined) this.buffered.set(topic, (list = []));
    list.push(message);
    if (++this.bufferedCount >= this.maxBufferedRecords) this.sendBuffered();
  }

  private track(work: Promise<void>): void {
    const p = work.finally(() => this.outstanding.delete(p));
    this.outstanding.add(p);
  }

  /** Fetches the partition counts the deferred records need, then buffers them in order. */
  private async resolveDeferred(): Promise<void> {
    const waiting = this.deferred;
    this.deferred = [];
    const unknown = [...new Set(waiting.map((d) => d.topic).filter((t) => !this.partitionCounts.has(t)))];
    if (unknown.length > 0) {
      try {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: unknown });
        for (const t of topics) this.partitionCounts.set(t.name, t.partitions.length);
      } catch (error) {
        for (const d of waiting) this.onSendFailure({ error, phase: 'send', topic: d.topic, partition: -1, records: 1, nodeName: null });
        return;
      }
    }
    for (const d of waiting) {
      try {
        applyPartitioner(d.topic, d.message, d.partitioner, d.typedKey, d.typedValue, this.partitionCounts.get(d.topic)!);
      } catch (error) {
        this.onSendFailure({ error, phase: 'send', topic: d.topic, partition: -1, records: 1, nodeName: null });
        continue;
      }
      this.buffer(d.topic, d.message);
    }
    this.sendBuffered();
  }

  private onSendFailure(context: ProductionErrorContext): void {
    if (this.onProductionError(context) === 'continue') return;
    this.failure ??= new StreamsError(describeProduction(context), { cause: context.error });
  }
}

function applyPartitioner(
  topic: string,
  message: Message,
  partitioner: StreamPartitioner<unknown, unknown>,
  key: unknown,
  value: unknown,
  count: number,
): void {
  const p = partitioner(topic, key, value, count);
  if (p === undefined) return;
  if (!Number.isInteger(p) || p < 0 || p >= count) {
    throw new StreamsError(`The stream partitioner returned partition ${String(p)} for topic "${topic}", which has ${count} partition(s)`);
  }
  message.partition = p;
}

