/**
 * Kafka's DoubleSerde: an IEEE 754 double, 8 bytes big-endian.
 */
import type { Serde } from './serde.ts';
import { deserializeError, describeValue, serializeError } from './serde-failures.ts';

/**
 * Doubles as 8 big-endian bytes, exactly what Java's `DoubleSerializer` writes
 * (`Double.doubleToLongBits`: every NaN becomes the canonical `7f f8 00 00 00 00 00 00`).
 *
 * @example
 * new Float64Serde().serialize('t', 1.5); // <Buffer 3f f8 00 00 00 00 00 00>
 */
export class Float64Serde implements Serde<number> {
  readonly name = 'float64';

  serialize(topic: string, data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number') throw serializeError(topic, this.name, `expected a number, got ${describeValue(data)}`);
    const buf = Buffer.allocUnsafe(8);
    if (data !== data) {
      buf.writeUInt32BE(0x7ff8_0000, 0);
      buf.writeUInt32BE(0, 4);
    } else {
      buf.writeDoubleBE(data, 0);
    }
    return buf;
  }

  deserialize(topic: string, data: Buffer | null): number | null {
    if (data === null || data === undefined) return null;
    if (data.length !== 8) throw deserializeError(topic, this.name, `expected 8 bytes, got ${data.length}`);
    return data.readDoubleBE(0);
  }
}
