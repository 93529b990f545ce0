/**
 * `ValueAndTimestamp`: a value with the timestamp of the record that last changed it, what timestamped
 * stores (and so every KTable) keep. Stored as `[timestamp 8 bytes BE][value bytes]`, Kafka Streams'
 * layout, so the bytes of timestamped stores read the same as there.
 */
import type { Serde, Serializer } from '../core/serde/serde.ts';
import { readUint64BE, writeUint64BE } from './bytes.ts';

/** A value and the timestamp of its last update. */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/**
 * Makes a {@link ValueAndTimestamp}.
 * @example
 * const vt = valueAndTimestamp(3, 1_000); // { value: 3, timestamp: 1000 }
 */
export function valueAndTimestamp<V>(value: V, timestamp: number): ValueAndTimestamp<V> {
  return { value, timestamp };
}

/** The timestamp prefix of a timestamped value's bytes. */
export function timestampOfRawValue(raw: Buffer): number {
  return readUint64BE(raw, 0);
}

/** The plain value bytes of a timestamped value (a view, no copy). */
export function plainRawValue(raw: Buffer): Buffer {
  return raw.subarray(8);
}

/** Prefixes plain value bytes with a timestamp (a restore of a timestamped store from its changelog). */
export function toTimestampedRawValue(plain: Buffer, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(plain.length + 8);
  writeUint64BE(out, timestamp, 0);
  plain.copy(out, 8);
  return out;
}

/**
 * The serde of `ValueAndTimestamp<V>` over the serde of `V`: `[timestamp 8 BE][value]`.
 * A null value stays null (a tombstone carries no timestamp).
 *
 * @example
 * const serde = valueAndTimestampSerde(Serdes.int64());
 * serde.serialize('t', { value: 1, timestamp: 5 }); // 16 bytes
 */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return new ValueAndTimestampSerde(inner);
}

class ValueAndTimestampSerde<V> implements Serde<ValueAndTimestamp<V>> {
  readonly name: string;
  constructor(private readonly inner: Serde<V>) {
    this.name = `valueAndTimestamp(${inner.name})`;
  }

  serialize(topic: string, data: ValueAndTimestamp<V> | null): Buffer | null {
    if (data === null || data === undefined) return null;
    const plain = (this.inner as Serializer<V>).serialize(topic, data.value);
    if (plain === null) return null;
    return toTimestampedRawValue(plain, data.timestamp);
  }

  deserialize(topic: string, data: Buffer | null): ValueAndTimestamp<V> | null {
    if (data === null) return null;
    const value = this.inner.deserialize(topic, data.subarray(8)) as V;
    return { value, timestamp: readUint64BE(data, 0) };
  }
}
