/**
 * Kafka's ConsumerProtocol: the bytes consumers put in JoinGroup metadata (Subscription) and the group
 * leader hands back through SyncGroup (Assignment). The layout is exactly Kafka's (big-endian, classic
 * non-flexible encoding), so Java, librdkafka and kafkajs clients interoperate with these bytes.
 *
 * ```
 * Subscription =>
 *   version          INT16
 *   topics           ARRAY(INT32 count) of STRING(INT16 length + UTF-8)
 *   user_data        BYTES (INT32 length, -1 = null)
 *   owned_partitions ARRAY of { topic STRING, partitions ARRAY of INT32 }   (v1+)
 *   generation_id    INT32, default -1                                     (v2+)
 *   rack_id          NULLABLE STRING (INT16 length, -1 = null)              (v3+)
 *
 * Assignment =>
 *   version              INT16   (0..3 share one layout)
 *   assigned_partitions  ARRAY of { topic STRING, partitions ARRAY of INT32 }
 *   user_data            BYTES (INT32 length, -1 = null)
 * ```
 *
 * As in Kafka, a version newer than the newest known is read as the newest known layout and any
 * trailing bytes are ignored, so newer clients stay readable. Fields of a newer version that are
 * missing at the very end of a Subscription take their defaults (kafkajs announces version 1 but
 * writes the version 0 layout).
 */
import { InvalidArgumentError } from '../errors/log-errors.ts';
import type { TopicPartitions } from './assignors/partition-assignor.ts';

/** The protocol type consumer groups announce in JoinGroup. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Newest Subscription version this codec reads and writes. */
export const SUBSCRIPTION_MAX_VERSION = 3;
/** Newest Assignment version this codec reads and writes. */
export const ASSIGNMENT_MAX_VERSION = 3;

/** A consumer's subscription, carried as JoinGroup protocol metadata. */
export interface ConsumerSubscription {
  /** Topics the consumer subscribes to. */
  readonly topics: readonly string[];
  /** Assignor-specific bytes. */
  readonly userData?: Buffer | null;
  /** Partitions owned in the previous generation (v1+). */
  readonly ownedPartitions?: readonly TopicPartitions[];
  /** Generation those partitions were owned in (v2+); -1 when unknown. */
  readonly generationId?: number;
  /** The consumer's rack (v3+). */
  readonly rackId?: string | null;
}

/** A decoded subscription: every field present, plus the version it was written with. */
export interface DecodedSubscription {
  readonly version: number;
  readonly topics: string[];
  readonly userData: Buffer | null;
  readonly ownedPartitions: TopicPartitions[];
  readonly generationId: number;
  readonly rackId: string | null;
}

/** A member's assignment, carried in SyncGroup. */
export interface ConsumerAssignment {
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly userData?: Buffer | null;
}

/** A decoded assignment, plus the version it was written with. */
export interface DecodedAssignment {
  readonly version: number;
  readonly assignedPartitions: TopicPartitions[];
  readonly userData: Buffer | null;
}

/**
 * Encodes a Subscription in Kafka's layout.
 *
 * @param subscription what to encode; fields a version lacks are left out
 * @param version 0 to 3 (default 1: topics, user data and owned partitions)
 * @returns the JoinGroup protocol metadata bytes
 * @throws InvalidArgumentError for an unknown version
 * @example
 * const metadata = encodeSubscription({ topics: ['orders'] });
 * decodeSubscription(metadata).topics; // ['orders']
 */
export function encodeSubscription(subscription: ConsumerSubscription, version = 1): Buffer {
  checkVersion('Subscription', version, SUBSCRIPTION_MAX_VERSION);
  const w = new Writer();
  w.int16(version);
  w.int32(subscription.topics.length);
  for (const topic of subscription.topics) w.string(topic);
  w.bytes(subscription.userData ?? null);
  if (version >= 1) w.topicPartitions(subscription.ownedPartitions ?? []);
  if (version >= 2) w.int32(subscription.generationId ?? -1);
  if (version >= 3) w.nullableString(subscription.rackId ?? null);
  return w.finish();
}

/**
 * Decodes a Subscription written by any Kafka client.
 *
 * @param buf the JoinGroup protocol metadata
 * @param where names the source in error messages (e.g. `group g member m`)
 * @throws InvalidArgumentError naming `where` and the byte position when the bytes are malformed
 * @example
 * decodeSubscription(encodeSubscription({ topics: ['t'] }, 0)).version; // 0
 */
export function decodeSubscription(buf: Buffer, where = 'subscription'): DecodedSubscription {
  const r = new Reader(buf, where);
  const version = r.int16();
  if (version < 0) r.fail(`unsupported Subscription version ${version}`);
  const topicCount = r.arrayLength();
  const topics: string[] = [];
  for (let i = 0; i < topicCount; i++) topics.push(r.string());
  const userData = r.bytes();
  // kafkajs writes version 1 without the v1 fields: fields missing at the very end take their defaults.
  const ownedPartitions = version >= 1 && r.remaining > 0 ? r.topicPartitions() : [];
  const generationId = version >= 2 && r.remaining > 0 ? r.int32() : -1;
  const rackId = version >= 3 && r.remaining > 0 ? r.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/**
 * Encodes an Assignment in Kafka's layout.
 *
 * @param assignment the partitions given to one member
 * @param version 0 to 3 (default 0; all versions share one layout)
 * @example
 * const bytes = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0, 1] }] });
 */
export function encodeAssignment(assignment: ConsumerAssignment, version = 0): Buffer {
  checkVersion('Assignment', version, ASSIGNMENT_MAX_VERSION);
  const w = new Writer();
  w.int16(version);
  w.topicPartitions(assignment.assignedPartitions);
  w.bytes(assignment.userData ?? null);
  return w.finish();
}

/**
 * Decodes an Assignment written by any Kafka client. An empty buffer (what the coordinator hands a
 * member the leader gave nothing) decodes as an empty assignment.
 *
 * @throws InvalidArgumentError naming `where` and the byte position when the bytes are malformed
 * @example
 * decodeAssignment(Buffer.alloc(0)).assignedPartitions; // []
 */
export function decodeAssignment(buf: Buffer, where = 'assignment'): DecodedAssignment {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(buf, where);
  const version = r.int16();
  if (version < 0) r.fail(`unsupported Assignment version ${version}`);
  const assignedPartitions = r.topicPartitions();
  const userData = r.bytes();
  return { version, assignedPartitions, userData };
}

function checkVersion(what: string, version: number, max: number): void {
  if (!Number.isInteger(version) || version < 0 || version > max) {
    throw new InvalidArgumentError(`${what} version ${version} is not supported (0..${max})`);
  }
}

/** Big-endian writer that grows as needed. */
class Writer {
  private buf = Buffer.allocUnsafe(64);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  string(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 0x7fff) throw new InvalidArgumentError(`String of ${len} bytes is too long for an INT16 length`);
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  nullableString(s: string | null): void {
    if (s === null) this.int16(-1);
    else this.string(s);
  }

  bytes(b: Uint8Array | null): void {
    if (b === null) {
      this.int32(-1);
      return;
    }
    this.int32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  topicPartitions(list: readonly TopicPartitions[]): void {
    this.int32(list.length);
    for (const { topic, partitions } of list) {
      this.string(topic);
      this.int32(partitions.length);
      for (const p of partitions) this.int32(p);
    }
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** Big-endian reader that names the source and byte position when the input is short or malformed. */
class Reader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly where: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(reason: string): never {
    throw new InvalidArgumentError(`Malformed ${this.where} at byte ${this.pos} of ${this.buf.length}: ${reason}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail(`needs ${n} more bytes`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  arrayLength(): number {
    const n = this.int32();
    if (n < 0) this.fail(`negative array length ${n}`);
    // Every element takes at least two bytes; refuse counts the buffer cannot hold.
    if (n > (this.buf.length - this.pos) / 2) this.fail(`array length ${n} exceeds the remaining bytes`);
    return n;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) this.fail('null string where a string is required');
    return s;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < 0) this.fail(`negative string length ${len}`);
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  bytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < 0) this.fail(`negative bytes length ${len}`);
    this.need(len);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return b;
  }

  topicPartitions(): TopicPartitions[] {
    const count = this.arrayLength();
    const out: TopicPartitions[] = [];
    for (let i = 0; i < count; i++) {
      const topic = this.string();
      const n = this.arrayLength();
      const partitions: number[] = [];
      for (let j = 0; j < n; j++) partitions.push(this.int32());
      out.push({ topic, partitions });
    }
    return out;
  }
}
