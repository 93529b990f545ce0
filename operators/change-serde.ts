/**
 * The serde of `Change<V>` records in the repartition topic of `KTable.groupBy` (Kafka's
 * `ChangedSerializer`): a flag byte (bit 0: new value present, bit 1: old value present), the new
 * value's length as a 4-byte big-endian integer and its bytes, then the old value's bytes.
 */
import type { RecordHeader } from '../core/log/log-contracts.ts';
import { SerdeError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Change } from './change.ts';

const EMPTY = Buffer.alloc(0);

/**
 * Wraps the serde of `V`.
 *
 * @example
 * const serde = new ChangeSerde(Serdes.int64());
 * serde.deserialize('t', serde.serialize('t', new Change(2, 1))); // Change { newValue: 2, oldValue: 1 }
 */
export class ChangeSerde<V> implements Serde<Change<V>> {
  readonly name: string;

  constructor(readonly inner: Serde<V>) {
    this.name = `change(${inner.name})`;
  }

  serialize(topic: string, data: Change<V> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const n = data.newValue === null ? null : (this.inner.serialize(topic, data.newValue, headers) ?? EMPTY);
    const o = data.oldValue === null ? null : (this.inner.serialize(topic, data.oldValue, headers) ?? EMPTY);
    const nLen = n === null ? 0 : n.length;
    const out = Buffer.allocUnsafe(5 + nLen + (o === null ? 0 : o.length));
    out[0] = (n === null ? 0 : 1) | (o === null ? 0 : 2);
    out.writeUInt32BE(nLen, 1);
    if (n !== null) n.copy(out, 5);
    if (o !== null) o.copy(out, 5 + nLen);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): Change<V> | null {
    if (data === null) return null;
    if (data.length < 5 || data[0]! > 3) {
      throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `not a change record (${data.length} bytes)` }, { topic });
    }
    const flags = data[0]!;
    const nLen = data.readUInt32BE(1);
    if (5 + nLen > data.length) {
      throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `new value length ${nLen} exceeds the record` }, { topic });
    }
    const newValue = (flags & 1) === 0 ? null : this.inner.deserialize(topic, data.subarray(5, 5 + nLen), headers);
    const oldValue = (flags & 2) === 0 ? null : this.inner.deserialize(topic, data.subarray(5 + nLen), headers);
    return new Change(newValue, oldValue);
  }
}
