/**
 * Kafka's BytesSerde / ByteArraySerde: the bytes as they are.
 */
import type { Serde } from './serde.ts';
import { describeValue, serializeError } from './serde-failures.ts';

/**
 * Raw bytes, passed through without copying: `serialize` returns the same Buffer, `deserialize` returns
 * the Buffer it was given (which may be a view into a fetched batch: copy it if you keep it beyond the
 * record's processing and the runtime documents reuse).
 *
 * @example
 * const b = new BytesSerde();
 * b.deserialize('t', Buffer.from([1, 2])); // <Buffer 01 02>
 */
export class BytesSerde implements Serde<Buffer> {
  readonly name = 'bytes';

  serialize(topic: string, data: Buffer | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (!Buffer.isBuffer(data)) {
      const raw: unknown = data;
      if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      throw serializeError(topic, this.name, `expected a Buffer, got ${describeValue(data)}`);
    }
    return data;
  }

  deserialize(_topic: string, data: Buffer | null): Buffer | null {
    if (data === null || data === undefined) return null;
    return data;
  }
}
