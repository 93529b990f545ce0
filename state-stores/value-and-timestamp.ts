/**
 * `ValueAndTimestamp`: a value with the timestamp of the record that last changed it, what timestamped
 * stores (and so every KTable) keep. Stored as `[timestamp 8 bytes BE][value bytes]`, Kafka Streams'
 * layout, so the bytes of timestamped stores read the same as there.
 */
import type { Serde, Serializer } from '../core/serde/serde.ts';
import { Int64Serde } from '../core/serde/int64-serde.ts';
import { readUint64BE, writeUint64BE } from './bytes.ts';

const TWO_32 = 0x1_0000_0000;

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
  /**
   * Whether the inner serde is {@link Int64Serde} (counts): then a value is written straight into one
   * 16-byte buffer and read in place, without the intermediate 8-byte buffer or view per operation.
   * Anything the fast path does not cover (a non-integer, a wrong length) goes the generic way, so
   * errors are the inner serde's.
   */
  private readonly int64: boolean;
  constructor(private readonly inner: Serde<V>) {
    this.name = `valueAndTimestamp(${inner.name})`;
    this.int64 = inner instanceof Int64Serde;
  }

  serialize(topic: string, data: ValueAndTimestamp<V> | null): Buffer | null {
    if (data === null || data === undefined) return null;
    const v = data.value;
    if (this.int64 && typeof v === 'number' && Number.isSafeInteger(v)) {
      const out = Buffer.allocUnsafe(16);
      writeUint64BE(out, data.timestamp, 0);
      const hi = Math.floor(v / TWO_32);
      out.writeInt32BE(hi, 8);
      out.writeUInt32BE(v - hi * TWO_32, 12);
      return out;
    }
    const plain = (this.inner as Serializer<V>).serialize(topic, v);
    if (plain === null) return null;
    return toTimestampedRawValue(plain, data.timestamp);
  }

  deserialize(topic: string, data: Buffer | null): ValueAndTimestamp<V> | null {
    if (data === null) return null;
    if (this.int64 && data.length === 16) {
      const value = data.readInt32BE(8) * TWO_32 + data.readUInt32BE(12);
      if (Number.isSafeInteger(value)) return { value: value as V, timestamp: readUint64BE(data, 0) };
    }
    const value = this.inner.deserialize(topic, data.subarray(8)) as V;
    return { value, timestamp: readUint64BE(data, 0) };
  }
}
