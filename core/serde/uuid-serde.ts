/**
 * Kafka's UUIDSerde: a UUID as its 36-character string form, UTF-8 encoded.
 */
import type { Serde } from './serde.ts';
import { deserializeError, describeValue, serializeError } from './serde-failures.ts';

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * UUIDs as Kafka's `UUIDSerializer` writes them: the canonical 36-character string
 * (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) in UTF-8, so 36 bytes, not the 16-byte binary form. Values are
 * JavaScript strings; a string that is not a UUID is refused both ways. Case is kept as given (Java
 * writes lower case).
 *
 * @example
 * new UuidSerde().serialize('t', crypto.randomUUID()).length; // 36
 */
export class UuidSerde implements Serde<string> {
  readonly name = 'uuid';

  serialize(topic: string, data: string | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'string' || !UUID_PATTERN.test(data)) {
      throw serializeError(topic, this.name, `expected a UUID string, got ${describeValue(data)}`);
    }
    return Buffer.from(data, 'latin1');
  }

  deserialize(topic: string, data: Buffer | null): string | null {
    if (data === null || data === undefined) return null;
    const text = data.toString('latin1');
    if (data.length !== 36 || !UUID_PATTERN.test(text)) {
      throw deserializeError(topic, this.name, `expected the 36-byte string form of a UUID, got ${data.length} bytes`);
    }
    return text;
  }
}
