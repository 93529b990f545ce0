/**
 * Direct partition reads over kafkajs, for restoring state stores from their changelogs: Fetch requests
 * sent straight to each partition's leader, outside any consumer group (kafkajs has no manual
 * assignment, and a group join per restore would cost a rebalance each time).
 *
 * The reader owns a kafkajs consumer that never runs: it is only the way to obtain a connected kafkajs
 * cluster of its own (kafkajs hands it to partition assigners), so restore fetches do not queue behind
 * the group consumer's long polls on a shared connection. Reads are read_uncommitted up to the high
 * watermark by default; with `isolationLevel: 'read_committed'` they stop at the last stable offset and
 * leave out the records of aborted transactions (from the aborted-transaction list the broker sends with
 * each partition). Transaction control records are always left out; every result carries the
 * partition's last stable offset.
 */
import type { Cluster, Kafka, PartitionAssigner } from 'kafkajs';
import type { FetchedPartition, FetchOptions, FetchRequest } from '../embedded/embedded-log.ts';
import type { DecodedRecord } from '../../log/record-batch.ts';
import type { IHeaders } from '../log-client.ts';
import { toRecordHeaders } from '../message-headers.ts';
import { InvalidArgumentError, UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';
import { toTributaryError, translated } from './kafka-client-error.ts';
import type { TributaryError } from '../../errors/tributary-error.ts';

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
/** Key of an abort marker's control record: version 0, type 0 (ABORT). */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  isControlRecord?: boolean;
  batchContext?: { producerId?: string; inTransaction?: boolean };
}

interface RawAbortedTransaction {
  producerId: string;
  firstOffset: string;
}

interface RawPartition {
  partition: number;
  highWatermark: string;
  lastStartOffset?: string;
  logStartOffset?: string;
  lastStableOffset?: string;
  abortedTransactions?: RawAbortedTransaction[] | null;
  messages: RawMessage[];
}

/**
 * Reads partitions by offset through kafkajs.
 *
 * @example
 * const reader = new KafkajsPartitionReader(kafka, 'app-restore');
 * const [p] = await reader.fetch([{ topic: 'app-counts-changelog', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
 * await reader.close();
 */
export class KafkajsPartitionReader {
  private connecting: Promise<Cluster> | null = null;
  private consumer: ReturnType<Kafka['consumer']> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
  ) {}

  /**
   * Reads each requested partition from its offset (about `maxBytes`, at least one whole batch). A
   * partition that cannot be read reports its error (`OFFSET_OUT_OF_RANGE` with the partition's log start
   * and high watermark; `UNKNOWN_TOPIC_OR_PARTITION` with a high watermark of -1) without failing the others.
   *
   * @throws InvalidArgumentError for a malformed request; TributaryError when the cluster cannot be reached
   */
  async fetch(requests: readonly FetchRequest[], options: FetchOptions): Promise<FetchedPartition[]> {
    for (const r of requests) {
      if (!Number.isSafeInteger(r.offset) || r.offset < 0 || !(r.maxBytes > 0)) {
        throw new InvalidArgumentError(`Invalid fetch of ${r.topic}-${r.partition} at ${r.offset} (maxBytes ${r.maxBytes})`);
      }
    }
    const cluster = await this.cluster();
    const unknown = await this.addTopics(cluster, [...new Set(requests.map((r) => r.topic))]);
    return Promise.all(
      requests.map((r) => (unknown.has(r.topic) ? failed(r, new UnknownTopicOrPartitionError(r.topic, r.partition), -1, 0) : this.fetchOne(cluster, r, options))),
    );
  }

  /** Disconnects the reader's connections. */
  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.connecting = null;
    await consumer?.disconnect().catch(() => undefined);
  }

  /** Makes the cluster track the topics' metadata; returns the topics that do not exist. */
  private async addTopics(cluster: Cluster, topics: readonly string[]): Promise<Set<string>> {
    const unknown = new Set<string>();
    try {
      await cluster.addMultipleTargetTopics([...topics]);
      return unknown;
    } catch (error) {
      if (toTributaryError(error, 'Reading topic metadata').code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw toTributaryError(error, 'Reading topic metadata');
    }
    // One of them is missing (kafkajs then forgets the whole set): add them one by one.
    for (const topic of topics) {
      try {
        await cluster.addTargetTopic(topic);
      } catch (error) {
        const e = toTributaryError(error, `Reading metadata of topic "${topic}"`);
        if (e.code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
        unknown.add(topic);
      }
    }
    return unknown;
  }

  private async fetchOne(cluster: Cluster, r: FetchRequest, options: FetchOptions): Promise<FetchedPartition> {
    let leaders = cluster.findLeaderForPartitions(r.topic, [r.partition]);
    if (Object.keys(leaders).length === 0) {
      // Partitions added since the metadata was read: refresh once.
      await translated('Refreshing metadata', () => cluster.refreshMetadata());
      leaders = cluster.findLeaderForPartitions(r.topic, [r.partition]);
    }
    const nodeId = Object.keys(leaders)[0];
    if (nodeId === undefined) return failed(r, new UnknownTopicOrPartitionError(r.topic, r.partition), -1, 0);
    try {
      const broker = await cluster.findBroker({ nodeId });
      const response = (await broker.fetch({
        replicaId: -1,
        isolationLevel: options.isolationLevel === 'read_committed' ? READ_COMMITTED : READ_UNCOMMITTED,
        maxWaitTime: options.maxWaitMs,
        minBytes: options.minBytes ?? 1,
        maxBytes: r.maxBytes,
        topics: [{ topic: r.topic, partitions: [{ partition: r.partition, fetchOffset: String(r.offset), maxBytes: r.maxBytes }] }],
      })) as { responses: { topicName: string; partitions: RawPartition[] }[] };
      const raw = response.responses.find((t) => t.topicName === r.topic)?.partitions.find((p) => p.partition === r.partition);
      if (raw === undefined) return failed(r, new UnknownTopicOrPartitionError(r.topic, r.partition), -1, 0);
      return toFetched(r, raw);
    } catch (error) {
      const e = toTributaryError(error, `Fetching ${r.topic}-${r.partition} at offset ${r.offset}`);
      if (e.code === 'UNKNOWN_TOPIC_OR_PARTITION') return failed(r, e, -1, 0);
      if (e.code !== 'OFFSET_OUT_OF_RANGE') throw e;
      const [low, high] = await Promise.all([this.listOffset(cluster, r, true), this.listOffset(cluster, r, false)]);
      return failed(r, e, high, low);
    }
  }

  private async listOffset(cluster: Cluster, r: FetchRequest, fromBeginning: boolean): Promise<number> {
    const result = await translated(`Listing offsets of ${r.topic}-${r.partition}`, () =>
      cluster.fetchTopicsOffset([{ topic: r.topic, partitions: [{ partition: r.partition }], fromBeginning }]),
    );
    const offset = result.find((t) => t.topic === r.topic)?.partitions.find((p) => p.partition === r.partition)?.offset;
    return offset === undefined ? -1 : Number(offset);
  }

  private cluster(): Promise<Cluster> {
    if (this.connecting !== null) return this.connecting;
    let captured: Cluster | null = null;
    const capture: PartitionAssigner = ({ cluster }) => {
      captured = cluster;
      return { name: 'tributary-partition-reader', version: 0, protocol: () => ({ name: 'unused', metadata: Buffer.alloc(0) }), assign: async () => [] };
    };
    const consumer = this.kafka.consumer({ groupId: this.groupId, partitionAssigners: [capture], allowAutoTopicCreation: false });
    this.consumer = consumer;
    const connecting = translated('Connecting the partition reader', async () => {
      await consumer.connect();
      return captured!;
    });
    connecting.catch(() => {
      if (this.connecting === connecting) this.connecting = null;
    });
    this.connecting = connecting;
    return connecting;
  }
}

function toFetched(r: FetchRequest, raw: RawPartition): FetchedPartition {
  const records: DecodedRecord[] = [];
  let nextOffset = r.offset;
  const where = `${r.topic}-${r.partition}`;
  // Aborted transactions in first-offset order; a producer is skipped from its first offset to its abort marker.
  const pending = (raw.abortedTransactions ?? []).map((t) => ({ producerId: t.producerId, firstOffset: Number(t.firstOffset) }));
  pending.sort((a, b) => a.firstOffset - b.firstOffset);
  let next = 0;
  const aborting = new Set<string>();
  for (const m of raw.messages) {
    const offset = Number(m.offset);
    while (next < pending.length && pending[next]!.firstOffset <= offset) aborting.add(pending[next++]!.producerId);
    const producerId = m.batchContext?.producerId;
    if (m.isControlRecord === true) {
      if (producerId !== undefined && m.key !== null && ABORT_MARKER_KEY.equals(m.key)) aborting.delete(producerId);
    }
    if (offset < r.offset) continue;
    nextOffset = offset + 1;
    if (m.isControlRecord === true) continue;
    if (aborting.size > 0 && m.batchContext?.inTransaction === true && producerId !== undefined && aborting.has(producerId)) continue;
    records.push({ offset, timestamp: Number(m.timestamp), key: m.key, value: m.value, headers: [...toRecordHeaders(m.headers, where)] });
  }
  const logStart = raw.lastStartOffset ?? raw.logStartOffset ?? '0';
  const highWatermark = Number(raw.highWatermark);
  const stable = raw.lastStableOffset === undefined ? -1 : Number(raw.lastStableOffset);
  return {
    topic: r.topic,
    partition: r.partition,
    highWatermark,
    lastStableOffset: stable >= 0 ? stable : highWatermark,
    logStartOffset: Math.max(0, Number(logStart)),
    records,
    nextOffset,
  };
}

function failed(r: FetchRequest, error: TributaryError, highWatermark: number, logStartOffset: number): FetchedPartition {
  return { topic: r.topic, partition: r.partition, highWatermark, lastStableOffset: highWatermark, logStartOffset, records: [], nextOffset: r.offset, error };
}
