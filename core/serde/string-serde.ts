/**
 * Kafka's StringSerde: UTF-8 text.
 */
import type { Serde } from './serde.ts';
import { describeValue, serializeError } from './serde-failures.ts';

/**
 * UTF-8 strings, byte for byte what Kafka's `StringSerializer` writes. `null` stays `null`; invalid
 * UTF-8 decodes with replacement characters, as Java's decoder does.
 *
 * @example
 * const s = new StringSerde();
 * s.serialize('t', 'héllo'); // <Buffer 68 c3 a9 6c 6c 6f>
 */
export class StringSerde implements Serde<string> {
  readonly name = 'string';

  serialize(topic: string, data: string | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'string') throw serializeError(topic, this.name, `expected a string, got ${describeValue(data)}`);
    return Buffer.from(data, 'utf8');
  }

  deserialize(_topic: string, data: Buffer | null): string | null {
    if (data === null || data === undefined) return null;
    return data.toString('utf8');
  }
}
