/**
 * The key of a foreign-key join's subscription store (Kafka Streams' `CombinedKey`): the foreign key and
 * the primary key of the left row that subscribes to it. Serialized as the foreign key's length (4-byte
 * big-endian), the foreign key's bytes, then the primary key's bytes, so all subscriptions to one
 * foreign key share a prefix and one prefix scan finds them.
 */
import type { RecordHeader } from '../core/log/log-contracts.ts';
import { SerdeError } from '../core/errors/streams-errors.ts';
import type { Serde, Serializer } from '../core/serde/serde.ts';

/**
 * A foreign key and a primary key.
 *
 * @example
 * new CombinedKey('customer-7', 'order-1');
 */
export class CombinedKey<KO, K> {
  constructor(
    readonly foreignKey: KO,
    readonly primaryKey: K,
  ) {}
}

function serializeKey<T>(serde: Serializer<T>, name: string, topic: string, key: T, headers?: RecordHeader[]): Buffer {
  const bytes = serde.serialize(topic, key, headers);
  if (bytes === null) throw new SerdeError({ operation: 'serialize', serde: name, reason: 'a key serialized to null' }, { topic });
  return bytes;
}

/**
 * The serde of {@link CombinedKey}s.
 *
 * @example
 * const serde = new CombinedKeySerde(Serdes.string(), Serdes.string());
 * store.prefixScan('customer-7', serde.prefixSerializer);
 */
export class CombinedKeySerde<KO, K> implements Serde<CombinedKey<KO, K>> {
  readonly name: string;
  /** Serializes a foreign key to the prefix of every combined key that holds it. */
  readonly prefixSerializer: Serializer<KO>;

  constructor(
    private readonly foreignKeySerde: Serde<KO>,
    private readonly primaryKeySerde: Serde<K>,
  ) {
    this.name = `combined-key(${foreignKeySerde.name},${primaryKeySerde.name})`;
    this.prefixSerializer = {
      serialize: (topic: string, fk: KO | null, headers?: RecordHeader[]): Buffer | null => {
        if (fk === null) return null;
        const bytes = serializeKey(this.foreignKeySerde, this.name, topic, fk, headers);
        const out = Buffer.allocUnsafe(4 + bytes.length);
        out.writeUInt32BE(bytes.length, 0);
        bytes.copy(out, 4);
        return out;
      },
    };
  }

  serialize(topic: string, data: CombinedKey<KO, K> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const fk = serializeKey(this.foreignKeySerde, this.name, topic, data.foreignKey, headers);
    const pk = serializeKey(this.primaryKeySerde, this.name, topic, data.primaryKey, headers);
    const out = Buffer.allocUnsafe(4 + fk.length + pk.length);
    out.writeUInt32BE(fk.length, 0);
    fk.copy(out, 4);
    pk.copy(out, 4 + fk.length);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): CombinedKey<KO, K> | null {
    if (data === null) return null;
    const fkLen = data.length < 4 ? -1 : data.readUInt32BE(0);
    if (fkLen < 0 || 4 + fkLen > data.length) {
      throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `not a combined key (${data.length} bytes)` }, { topic });
    }
    const fk = this.foreignKeySerde.deserialize(topic, data.subarray(4, 4 + fkLen), headers);
    const pk = this.primaryKeySerde.deserialize(topic, data.subarray(4 + fkLen), headers);
    return new CombinedKey(fk as KO, pk as K);
  }
}
