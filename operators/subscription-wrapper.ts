/**
 * The records of a foreign-key join's subscription topic (Kafka Streams' `SubscriptionWrapper`, KIP-213):
 * keyed by the foreign key, each tells the right side that the left row `primaryKey` (now with the value
 * whose hash is `hash`) subscribes to, or unsubscribes from, that foreign key, and what to answer.
 *
 * Wire format (version 1): byte 0 the version; byte 1 flags (bit 0: hash present); byte 2 the
 * instruction; the 16-byte hash when present; the primary partition as a 4-byte big-endian integer;
 * then the serialized primary key.
 */
import type { RecordHeader } from '../core/log/log-contracts.ts';
import { SerdeError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';

/** What the right side does with a subscription (Kafka's instruction bytes). */
export const SubscriptionInstruction = {
  /** Remove the subscription; answer nothing (the left row moved to another foreign key). */
  DELETE_KEY_NO_PROPAGATE: 0,
  /** Remove the subscription; answer with a null value (the left row was deleted). */
  DELETE_KEY_AND_PROPAGATE: 1,
  /** Store the subscription; answer with the right row, or null when there is none. */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
  /** Store the subscription; answer only when the right row exists. */
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
} as const;

/** One of {@link SubscriptionInstruction}'s values. */
export type SubscriptionInstruction = (typeof SubscriptionInstruction)[keyof typeof SubscriptionInstruction];

const VERSION = 1;
const HASH_BYTES = 16;

/**
 * A subscription of a left row to a foreign key.
 *
 * @example
 * new SubscriptionWrapper(hash, SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE, 'order-1', 0);
 */
export class SubscriptionWrapper<K> {
  constructor(
    /** The 128-bit hash of the left row's serialized value, or null for a deleted row. */
    readonly hash: Buffer | null,
    readonly instruction: SubscriptionInstruction,
    readonly primaryKey: K,
    /** The partition of the left row's task: where the response goes. */
    readonly primaryPartition: number,
  ) {}
}

/**
 * The serde of {@link SubscriptionWrapper}s, over the serde of the primary key.
 *
 * @example
 * const serde = new SubscriptionWrapperSerde(Serdes.string());
 */
export class SubscriptionWrapperSerde<K> implements Serde<SubscriptionWrapper<K>> {
  readonly name: string;

  constructor(private readonly primaryKeySerde: Serde<K>) {
    this.name = `subscription(${primaryKeySerde.name})`;
  }

  serialize(topic: string, data: SubscriptionWrapper<K> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const pk = this.primaryKeySerde.serialize(topic, data.primaryKey, headers);
    if (pk === null) throw new SerdeError({ operation: 'serialize', serde: this.name, reason: 'the primary key serialized to null' }, { topic });
    const hashLen = data.hash === null ? 0 : HASH_BYTES;
    const out = Buffer.allocUnsafe(3 + hashLen + 4 + pk.length);
    out[0] = VERSION;
    out[1] = data.hash === null ? 0 : 1;
    out[2] = data.instruction;
    if (data.hash !== null) data.hash.copy(out, 3, 0, HASH_BYTES);
    out.writeInt32BE(data.primaryPartition, 3 + hashLen);
    pk.copy(out, 7 + hashLen);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): SubscriptionWrapper<K> | null {
    if (data === null) return null;
    if (data.length < 7 || data[0] !== VERSION || data[2]! > 3) {
      throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `not a version ${VERSION} subscription (${data.length} bytes)` }, { topic });
    }
    const hashLen = (data[1]! & 1) === 0 ? 0 : HASH_BYTES;
    if (data.length < 7 + hashLen) throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `truncated subscription (${data.length} bytes)` }, { topic });
    const hash = hashLen === 0 ? null : Buffer.from(data.subarray(3, 3 + HASH_BYTES));
    const partition = data.readInt32BE(3 + hashLen);
    const pk = this.primaryKeySerde.deserialize(topic, data.subarray(7 + hashLen), headers);
    return new SubscriptionWrapper(hash, data[2] as SubscriptionInstruction, pk as K, partition);
  }
}
