/**
 * Kafka's IntegerSerde: a 32-bit signed integer, 4 bytes big-endian.
 */
import type { Serde } from './serde.ts';
import { deserializeError, describeValue, serializeError } from './serde-failures.ts';

/**
 * 32-bit signed integers as 4 big-endian bytes, exactly what Java's `IntegerSerializer` writes
 * (`1` -> `00 00 00 01`, `-1` -> `ff ff ff ff`). Numbers outside [-2^31, 2^31) or not integers are refused.
 *
 * @example
 * new Int32Serde().serialize('t', 256); // <Buffer 00 00 01 00>
 */
export class Int32Serde implements Serde<number> {
  readonly name = 'int32';

  serialize(topic: string, data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isInteger(data) || data < -0x8000_0000 || data > 0x7fff_ffff) {
      throw serializeError(topic, this.name, `expected an integer in [-2^31, 2^31), got ${describeValue(data)}`);
    }
    const buf = Buffer.allocUnsafe(4);
    buf.writeInt32BE(data, 0);
    return buf;
  }

  deserialize(topic: string, data: Buffer | null): number | null {
    if (data === null || data === undefined) return null;
    if (data.length !== 4) throw deserializeError(topic, this.name, `expected 4 bytes, got ${data.length}`);
    return data.readInt32BE(0);
  }
}
