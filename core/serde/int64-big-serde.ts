/**
 * Kafka's LongSerde as a bigint: the full signed 64-bit range.
 */
import type { Serde } from './serde.ts';
import { deserializeError, describeValue, serializeError } from './serde-failures.ts';

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;

/**
 * 64-bit signed integers as 8 big-endian bytes (Java's `LongSerializer`), as `bigint` over the whole
 * range. Slower than {@link Int64Serde} (BigInt); prefer that one when values fit in 2^53.
 *
 * @example
 * new Int64BigSerde().serialize('t', -1n); // <Buffer ff ff ff ff ff ff ff ff>
 */
export class Int64BigSerde implements Serde<bigint> {
  readonly name = 'int64big';

  serialize(topic: string, data: bigint | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'bigint' || data < MIN || data > MAX) {
      throw serializeError(topic, this.name, `expected a bigint in [-2^63, 2^63), got ${describeValue(data)}`);
    }
    const buf = Buffer.allocUnsafe(8);
    buf.writeBigInt64BE(data, 0);
    return buf;
  }

  deserialize(topic: string, data: Buffer | null): bigint | null {
    if (data === null || data === undefined) return null;
    if (data.length !== 8) throw deserializeError(topic, this.name, `expected 8 bytes, got ${data.length}`);
    return data.readBigInt64BE(0);
  }
}
