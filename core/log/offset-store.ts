/**
 * Committed consumer-group offsets, kept in memory and persisted as records in the internal compacted
 * topic `__consumer_offsets`, as Kafka's `GroupMetadataManager` does. All offsets of one group live in
 * one partition (`abs(javaHashCode(groupId)) % partitions`), so one commit is one batch, appended
 * atomically. A deletion is a tombstone (null value), which compaction eventually drops.
 *
 * ```
 * key   (Kafka's OffsetCommitKey, version 1) =>
 *   version INT16 (1), group STRING, topic STRING, partition INT32
 * value (Kafka's OffsetCommitValue, version 3) =>
 *   version INT16 (3), offset INT64, leader_epoch INT32, metadata NULLABLE STRING, commit_timestamp INT64
 * ```
 * (STRING = INT16 length + UTF-8; Kafka's metadata is non-nullable, here -1 stands for null so a null
 * metadata round-trips.)
 */
import { InvalidArgumentError, InvalidRecordError } from '../errors/log-errors.ts';
import type { Clock } from '../time/clock.ts';
import { compareTopicPartitions } from './assignors/partition-assignor.ts';
import type { LogManagerApi, PartitionLogApi } from './log-contracts.ts';
import { decodeRecords, encodeRecordBatch, forEachBatch, type BatchRecordInput } from './record-batch.ts';
import { CONSUMER_OFFSETS_TOPIC } from './topic-name.ts';
import { readInt64, writeInt64 } from './int64.ts';

/** Kafka's `offset.metadata.max.bytes` default. */
export const MAX_OFFSET_METADATA_BYTES = 4096;

/** Kafka's `offsets.topic.segment.bytes` default (100 MiB). */
const OFFSETS_TOPIC_SEGMENT_BYTES = '104857600';

const KEY_VERSION = 1;
const VALUE_VERSION = 3;
const READ_CHUNK_BYTES = 1 << 20;

/** One committed offset. */
export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group will read. */
  readonly offset: number;
  readonly metadata: string | null;
  /** Clock time of the commit. */
  readonly commitTimestamp: number;
  /** Leader epoch sent with the commit, -1 when unknown. */
  readonly leaderEpoch: number;
}

/** One offset to commit. */
export interface OffsetCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata?: string | null;
  readonly leaderEpoch?: number;
}

/** Options for {@link OffsetStore}. */
export interface OffsetStoreOptions {
  readonly logManager: LogManagerApi;
  readonly clock: Clock;
  /** Partitions of `__consumer_offsets` when this store creates it (Kafka defaults to 50; default 1). */
  readonly offsetsTopicPartitions?: number;
}

/** Decoded key of an offsets record. */
export interface OffsetKey {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * Kafka's partition for a group: `abs(groupId.hashCode()) % partitions`, with Java's String.hashCode.
 *
 * @example
 * offsetsPartitionFor('my-group', 50);
 */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  const abs = h === -0x8000_0000 ? 0 : Math.abs(h);
  return abs % partitions;
}

/** Encodes an offsets record key (Kafka's OffsetCommitKey v1). */
export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  const g = Buffer.from(group, 'utf8');
  const t = Buffer.from(topic, 'utf8');
  const buf = Buffer.allocUnsafe(2 + 2 + g.length + 2 + t.length + 4);
  let pos = buf.writeInt16BE(KEY_VERSION, 0);
  pos = buf.writeInt16BE(g.length, pos);
  pos += g.copy(buf, pos);
  pos = buf.writeInt16BE(t.length, pos);
  pos += t.copy(buf, pos);
  buf.writeInt32BE(partition, pos);
  return buf;
}

/**
 * Decodes an offsets record key; returns null for other key versions (Kafka's group metadata, v2).
 * @throws InvalidRecordError naming `where` when the bytes are malformed
 */
export function decodeOffsetKey(buf: Buffer, where: string): OffsetKey | null {
  try {
    const version = buf.readInt16BE(0);
    if (version !== 0 && version !== 1) return null;
    let pos = 2;
    const gl = buf.readInt16BE(pos);
    const group = buf.toString('utf8', pos + 2, pos + 2 + gl);
    pos += 2 + gl;
    const tl = buf.readInt16BE(pos);
    const topic = buf.toString('utf8', pos + 2, pos + 2 + tl);
    pos += 2 + tl;
    const partition = buf.readInt32BE(pos);
    if (gl < 0 || tl < 0 || pos + 4 !== buf.length) throw new RangeError(`length mismatch`);
    return { group, topic, partition };
  } catch (cause) {
    throw new InvalidRecordError(`Malformed offset commit key at ${where}: ${(cause as Error).message}`, { cause });
  }
}

/** Encodes an offsets record value (Kafka's OffsetCommitValue v3, nullable metadata). */
export function encodeOffsetValue(offset: number, leaderEpoch: number, metadata: string | null, commitTimestamp: number): Buffer {
  const m = metadata === null ? null : Buffer.from(metadata, 'utf8');
  const buf = Buffer.allocUnsafe(2 + 8 + 4 + 2 + (m?.length ?? 0) + 8);
  let pos = buf.writeInt16BE(VALUE_VERSION, 0);
  pos = writeInt64(buf, pos, offset);
  pos = buf.writeInt32BE(leaderEpoch, pos);
  pos = buf.writeInt16BE(m === null ? -1 : m.length, pos);
  if (m !== null) pos += m.copy(buf, pos);
  writeInt64(buf, pos, commitTimestamp);
  return buf;
}

/**
 * Decodes an offsets record value (versions 1 and 3).
 * @throws InvalidRecordError naming `where` for other versions or malformed bytes
 */
export function decodeOffsetValue(
  buf: Buffer,
  where: string,
): { offset: number; leaderEpoch: number; metadata: string | null; commitTimestamp: number } {
  try {
    const version = buf.readInt16BE(0);
    if (version !== 1 && version !== 3) throw new RangeError(`unsupported value version ${version}`);
    let pos = 2;
    const offset = readInt64(buf, pos);
    pos += 8;
    let leaderEpoch = -1;
    if (version === 3) {
      leaderEpoch = buf.readInt32BE(pos);
      pos += 4;
    }
    const ml = buf.readInt16BE(pos);
    pos += 2;
    let metadata: string | null = null;
    if (ml >= 0) {
      if (pos + ml > buf.length) throw new RangeError('metadata runs past the value');
      metadata = buf.toString('utf8', pos, pos + ml);
      pos += ml;
    }
    const commitTimestamp = readInt64(buf, pos);
    return { offset, leaderEpoch, metadata, commitTimestamp };
  } catch (cause) {
    throw new InvalidRecordError(`Malformed offset commit value at ${where}: ${(cause as Error).message}`, { cause });
  }
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Committed offsets of every group, durable in `__consumer_offsets`. Commits of one group are written
 * one after another (the in-memory view changes only after the append is acknowledged, in commit order).
 *
 * @example
 * const store = new OffsetStore({ logManager, clock });
 * await store.load();
 * await store.commit('billing', [{ topic: 'orders', partition: 0, offset: 42 }]);
 * store.get('billing', 'orders', 0)?.offset; // 42
 */
export class OffsetStore {
  private readonly logManager: LogManagerApi;
  private readonly clock: Clock;
  private readonly wantedPartitions: number;
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private readonly writeChains = new Map<string, Promise<void>>();
  private topicReady: Promise<number> | null = null;

  constructor(options: OffsetStoreOptions) {
    this.logManager = options.logManager;
    this.clock = options.clock;
    this.wantedPartitions = options.offsetsTopicPartitions ?? 1;
    if (!Number.isInteger(this.wantedPartitions) || this.wantedPartitions < 1) {
      throw new InvalidArgumentError(`offsetsTopicPartitions must be a positive integer, got ${this.wantedPartitions}`);
    }
  }

  /**
   * Reads the whole offsets topic (if it exists) into memory, replacing what was loaded before.
   * @throws LogCorruptedError / InvalidRecordError when the topic holds bad data
   */
  async load(): Promise<void> {
    this.offsets.clear();
    const topic = this.logManager.describeTopic(CONSUMER_OFFSETS_TOPIC);
    if (topic === undefined) return;
    for (let p = 0; p < topic.numPartitions; p++) this.loadPartition(this.logManager.partition(CONSUMER_OFFSETS_TOPIC, p));
  }

  private loadPartition(log: PartitionLogApi): void {
    let offset = log.logStartOffset;
    while (offset < log.highWatermark) {
      const { records } = log.read(offset, READ_CHUNK_BYTES);
      let next = offset;
      forEachBatch(records, (position, header) => {
        next = Math.max(next, header.lastOffset + 1);
        if (header.isControl) return;
        const where = `${log.topic}-${log.partition} batch at offset ${header.baseOffset}`;
        for (const record of decodeRecords(records, position, where)) {
          if (record.offset < offset || record.key === null) continue;
          this.apply(record.key, record.value, `${log.topic}-${log.partition} offset ${record.offset}`);
        }
      });
      if (next <= offset) break;
      offset = next;
    }
  }

  private apply(keyBytes: Buffer, value: Buffer | null, where: string): void {
    const key = decodeOffsetKey(keyBytes, where);
    if (key === null) return;
    if (value === null) {
      const group = this.offsets.get(key.group);
      group?.delete(tpKey(key.topic, key.partition));
      if (group?.size === 0) this.offsets.delete(key.group);
      return;
    }
    const v = decodeOffsetValue(value, where);
    this.groupMap(key.group).set(tpKey(key.topic, key.partition), {
      topic: key.topic,
      partition: key.partition,
      offset: v.offset,
      metadata: v.metadata,
      commitTimestamp: v.commitTimestamp,
      leaderEpoch: v.leaderEpoch,
    });
  }

  private groupMap(groupId: string): Map<string, CommittedOffset> {
    let map = this.offsets.get(groupId);
    if (map === undefined) this.offsets.set(groupId, (map = new Map()));
    return map;
  }

  /** The partition of `__consumer_offsets` holding `groupId`'s offsets (once the topic exists). */
  partitionFor(groupId: string): number {
    const count = this.logManager.describeTopic(CONSUMER_OFFSETS_TOPIC)?.numPartitions ?? this.wantedPartitions;
    return offsetsPartitionFor(groupId, count);
  }

  /**
   * Durably commits offsets for a group (one batch); resolves once the log acknowledged it.
   * @throws (as a rejection) InvalidArgumentError for a bad topic, partition, offset or metadata longer than 4096 bytes
   */
  commit(groupId: string, commits: readonly OffsetCommit[]): Promise<void> {
    try {
      for (const c of commits) validateCommit(groupId, c);
    } catch (e) {
      return Promise.reject(e);
    }
    if (commits.length === 0) return Promise.resolve();
    const now = this.clock.now();
    const entries: CommittedOffset[] = commits.map((c) => ({
      topic: c.topic,
      partition: c.partition,
      offset: c.offset,
      metadata: c.metadata ?? null,
      commitTimestamp: now,
      leaderEpoch: c.leaderEpoch ?? -1,
    }));
    const records: BatchRecordInput[] = entries.map((e) => ({
      key: encodeOffsetKey(groupId, e.topic, e.partition),
      value: encodeOffsetValue(e.offset, e.leaderEpoch, e.metadata, e.commitTimestamp),
      timestamp: now,
    }));
    return this.write(groupId, records, () => {
      const map = this.groupMap(groupId);
      for (const e of entries) map.set(tpKey(e.topic, e.partition), e);
    });
  }

  /**
   * Deletes committed offsets of a group (all of them when `partitions` is omitted) with tombstones.
   * @returns how many committed offsets were deleted
   */
  async delete(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<number> {
    const map = this.offsets.get(groupId);
    if (map === undefined) return 0;
    const keys = (partitions ?? [...map.values()])
      .map((tp) => tpKey(tp.topic, tp.partition))
      .filter((k) => map.has(k));
    if (keys.length === 0) return 0;
    const now = this.clock.now();
    const records: BatchRecordInput[] = keys.map((k) => {
      const e = map.get(k)!;
      return { key: encodeOffsetKey(groupId, e.topic, e.partition), value: null, timestamp: now };
    });
    await this.write(groupId, records, () => {
      for (const k of keys) map.delete(k);
      if (map.size === 0 && this.offsets.get(groupId) === map) this.offsets.delete(groupId);
    });
    return keys.length;
  }

  private write(groupId: string, records: BatchRecordInput[], onAppended: () => void): Promise<void> {
    const previous = this.writeChains.get(groupId) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const partitions = await this.ensureTopic();
        const log = this.logManager.partition(CONSUMER_OFFSETS_TOPIC, offsetsPartitionFor(groupId, partitions));
        await log.append(encodeRecordBatch(records));
        onAppended();
      });
    this.writeChains.set(groupId, run);
    void run
      .finally(() => {
        if (this.writeChains.get(groupId) === run) this.writeChains.delete(groupId);
      })
      .catch(() => undefined);
    return run;
  }

  private ensureTopic(): Promise<number> {
    const existing = this.logManager.describeTopic(CONSUMER_OFFSETS_TOPIC);
    if (existing !== undefined) return Promise.resolve(existing.numPartitions);
    this.topicReady ??= this.logManager
      .createTopic(CONSUMER_OFFSETS_TOPIC, {
        numPartitions: this.wantedPartitions,
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': OFFSETS_TOPIC_SEGMENT_BYTES },
        internal: true,
      })
      .then((d) => d.numPartitions)
      .finally(() => {
        this.topicReady = null;
      });
    return this.topicReady;
  }

  /** The committed offset of one partition, if any. */
  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId)?.get(tpKey(topic, partition));
  }

  /** Every committed offset of a group, sorted by topic and partition. */
  offsetsOf(groupId: string): CommittedOffset[] {
    return [...(this.offsets.get(groupId)?.values() ?? [])].sort(compareTopicPartitions);
  }

  /** Groups that have at least one committed offset. */
  groupIds(): string[] {
    return [...this.offsets.keys()];
  }

  /** Waits for every write in flight. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writeChains.values()]);
  }
}

function validateCommit(groupId: string, c: OffsetCommit): void {
  const where = `group "${groupId}" ${c.topic}-${c.partition}`;
  if (typeof c.topic !== 'string' || c.topic.length === 0) {
    throw new InvalidArgumentError(`Offset commit for ${where}: the topic is empty`);
  }
  if (Buffer.byteLength(groupId, 'utf8') > 0x7fff || Buffer.byteLength(c.topic, 'utf8') > 0x7fff) {
    throw new InvalidArgumentError(`Offset commit for ${where}: group id or topic longer than 32767 bytes`);
  }
  if (!Number.isInteger(c.partition) || c.partition < 0 || c.partition > 0x7fff_ffff) {
    throw new InvalidArgumentError(`Offset commit for ${where}: partition ${c.partition} is not a valid partition`);
  }
  if (!Number.isSafeInteger(c.offset) || c.offset < -1) {
    throw new InvalidArgumentError(`Offset commit for ${where}: offset ${c.offset} is not a valid offset`);
  }
  if (c.metadata != null && Buffer.byteLength(c.metadata, 'utf8') > MAX_OFFSET_METADATA_BYTES) {
    throw new InvalidArgumentError(
      `Offset commit for ${where}: metadata of ${Buffer.byteLength(c.metadata, 'utf8')} bytes exceeds ${MAX_OFFSET_METADATA_BYTES}`,
    );
  }
}
