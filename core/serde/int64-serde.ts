/**
 * Kafka's LongSerde as a JavaScript number: 8 bytes big-endian, exact within the safe-integer range.
 */
import type { Serde } from './serde.ts';
import { deserializeError, describeValue, serializeError } from './serde-failures.ts';

const TWO_32 = 0x1_0000_0000;

/**
 * 64-bit signed integers as 8 big-endian bytes, exactly what Java's `LongSerializer` writes, taken and
 * returned as `number`. Numbers are exact only up to 2^53 - 1, so values outside
 * [-(2^53 - 1), 2^53 - 1] are refused both ways (a SerdeError, never a silently rounded number); use
 * {@link Int64BigSerde} (`Serdes.int64Big()`) for the full range as `bigint`. No BigInt on this path:
 * the two 32-bit halves are written and read separately.
 *
 * @example
 * new Int64Serde().serialize('t', 1); // <Buffer 00 00 00 00 00 00 00 01>
 */
export class Int64Serde implements Serde<number> {
  readonly name = 'int64';

  serialize(topic: string, data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isSafeInteger(data)) {
      throw serializeError(topic, this.name, `expected a safe integer (|n| <= 2^53 - 1; use Serdes.int64Big() for more), got ${describeValue(data)}`);
    }
    const hi = Math.floor(data / TWO_32);
    const buf = Buffer.allocUnsafe(8);
    buf.writeInt32BE(hi, 0);
    buf.writeUInt32BE(data - hi * TWO_32, 4);
    return buf;
  }

  deserialize(topic: string, data: Buffer | null): number | null {
    if (data === null || data === undefined) return null;
    if (data.length !== 8) throw deserializeError(topic, this.name, `expected 8 bytes, got ${data.length}`);
    const value = data.readInt32BE(0) * TWO_32 + data.readUInt32BE(4);
    if (!Number.isSafeInteger(value)) {
      throw deserializeError(topic, this.name, `${data.readBigInt64BE(0)} is beyond 2^53 - 1 and cannot be a number exactly; use Serdes.int64Big()`);
    }
    return value;
  }
}
