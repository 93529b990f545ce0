/**
 * Kafka's VoidSerde: for keys or values that are always null.
 */
import type { Serde } from './serde.ts';
import { deserializeError, describeValue, serializeError } from './serde-failures.ts';

/**
 * A serde for a key or value that is always `null` (Kafka's `VoidSerde`): anything else is an error.
 *
 * @example
 * builder.stream<null, string>('lines', { keySerde: Serdes.void(), valueSerde: Serdes.string() });
 */
export class VoidSerde implements Serde<null> {
  readonly name = 'void';

  serialize(topic: string, data: null): Buffer | null {
    if (data === null || data === undefined) return null;
    throw serializeError(topic, this.name, `expected null, got ${describeValue(data)}`);
  }

  deserialize(topic: string, data: Buffer | null): null {
    if (data === null || data === undefined) return null;
    throw deserializeError(topic, this.name, `expected null data, got ${data.length} bytes`);
  }
}
