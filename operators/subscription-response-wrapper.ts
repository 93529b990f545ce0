/**
 * The records of a foreign-key join's response topic (Kafka Streams' `SubscriptionResponseWrapper`):
 * keyed by the left row's primary key, each carries the right row's current value (or null) and the
 * hash of the left value the answer is for, so the left side can drop answers to values it no longer
 * has.
 *
 * Wire format (version 1): byte 0 the version; byte 1 flags (bit 0: hash present, bit 1: value
 * present); the 16-byte hash when present; the primary partition as a 4-byte big-endian integer; then
 * the serialized right value when present.
 */
import type { RecordHeader } from '../core/log/log-contracts.ts';
import { SerdeError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { StreamPartitioner } from '../core/topology/physical-topology.ts';

const VERSION = 1;
const HASH_BYTES = 16;
const EMPTY = Buffer.alloc(0);

/**
 * An answer of the right side to a subscription.
 *
 * @example
 * new SubscriptionResponseWrapper(hash, { name: 'ann' }, 0);
 */
export class SubscriptionResponseWrapper<VO> {
  constructor(
    /** The hash of the left value this answers, or null (answer to a deleted left row). */
    readonly hash: Buffer | null,
    /** The right row's value, or null when there is none. */
    readonly foreignValue: VO | null,
    /** The partition of the left row's task. */
    readonly primaryPartition: number,
  ) {}
}

/** Sends each response to the partition of the left task that subscribed. */
export const responsePartitioner: StreamPartitioner<unknown, SubscriptionResponseWrapper<unknown>> = (_topic, _key, value) => value.primaryPartition;

/**
 * The serde of {@link SubscriptionResponseWrapper}s, over the serde of the right table's values.
 *
 * @example
 * const serde = new SubscriptionResponseWrapperSerde(Serdes.json<Customer>());
 */
export class SubscriptionResponseWrapperSerde<VO> implements Serde<SubscriptionResponseWrapper<VO>> {
  readonly name: string;

  constructor(private readonly foreignValueSerde: Serde<VO>) {
    this.name = `subscription-response(${foreignValueSerde.name})`;
  }

  serialize(topic: string, data: SubscriptionResponseWrapper<VO> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const value = data.foreignValue === null ? null : (this.foreignValueSerde.serialize(topic, data.foreignValue, headers) ?? EMPTY);
    const hashLen = data.hash === null ? 0 : HASH_BYTES;
    const out = Buffer.allocUnsafe(2 + hashLen + 4 + (value === null ? 0 : value.length));
    out[0] = VERSION;
    out[1] = (data.hash === null ? 0 : 1) | (value === null ? 0 : 2);
    if (data.hash !== null) data.hash.copy(out, 2, 0, HASH_BYTES);
    out.writeInt32BE(data.primaryPartition, 2 + hashLen);
    if (value !== null) value.copy(out, 6 + hashLen);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): SubscriptionResponseWrapper<VO> | null {
    if (data === null) return null;
    if (data.length < 6 || data[0] !== VERSION || data[1]! > 3) {
      throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `not a version ${VERSION} subscription response (${data.length} bytes)` }, { topic });
    }
    const flags = data[1]!;
    const hashLen = (flags & 1) === 0 ? 0 : HASH_BYTES;
    if (data.length < 6 + hashLen) throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `truncated response (${data.length} bytes)` }, { topic });
    const hash = hashLen === 0 ? null : Buffer.from(data.subarray(2, 2 + HASH_BYTES));
    const partition = data.readInt32BE(2 + hashLen);
    const value = (flags & 2) === 0 ? null : this.foreignValueSerde.deserialize(topic, data.subarray(6 + hashLen), headers);
    return new SubscriptionResponseWrapper(hash, value, partition);
  }
}
