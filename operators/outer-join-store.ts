/**
 * The "outer join shared store" of a left or outer stream-stream join (Kafka Streams 3.1+): records that
 * found no partner wait here, keyed by time, until their window closes; then the join emits them with
 * a null side. A key-value store (changelogged like the window stores) whose keys sort by time:
 *
 * - key `TimestampedKeyAndJoinSide`: `[timestamp: 8 bytes big-endian][side: 1 byte, 1 = left][key bytes]`,
 *   so the store's byte order is timestamp order, then side, then key;
 * - value `LeftOrRightValues`: every unmatched value of that key, side and timestamp (duplicates are
 *   kept, like Kafka's list-value store): `[side: 1 byte][count: 4 BE]` then `[length: 4 BE][bytes]` each.
 */
import type { RecordHeader } from '../core/log/log-contracts.ts';
import { SerdeError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { StateStore } from '../core/processor/state-store.ts';
import { Stores } from '../state-stores/stores.ts';
import type { StoreFactory } from './graph/stateful-processor-node.ts';
import { resolveSerde } from './store-factories.ts';
import type { StreamJoined } from './stream-joined.ts';

const EMPTY = Buffer.alloc(0);
const TWO_32 = 0x1_0000_0000;

/** The key of an unmatched record: when, which side, which key. */
export interface TimestampedKeyAndJoinSide<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

/** The unmatched values of one key, side and timestamp. */
export interface LeftOrRightValues {
  readonly leftSide: boolean;
  readonly values: unknown[];
}

/** The typed store the join processors use (the metered key-value store satisfies it). */
export interface OuterJoinStoreView<K> extends StateStore {
  get(key: TimestampedKeyAndJoinSide<K>): LeftOrRightValues | undefined;
  put(key: TimestampedKeyAndJoinSide<K>, value: LeftOrRightValues | null): void;
  all(): Iterable<{ key: TimestampedKeyAndJoinSide<K>; value: LeftOrRightValues }>;
}

/**
 * Serde of {@link TimestampedKeyAndJoinSide}: time-ordered bytes around the key serde's bytes.
 *
 * @example
 * new TimestampedKeyAndJoinSideSerde(Serdes.string()).serialize('t', { timestamp: 5, leftSide: true, key: 'a' });
 */
export class TimestampedKeyAndJoinSideSerde<K> implements Serde<TimestampedKeyAndJoinSide<K>> {
  readonly name: string;

  constructor(private readonly keySerde: Serde<K>) {
    this.name = `timestamped-key-and-join-side(${keySerde.name})`;
  }

  serialize(topic: string, data: TimestampedKeyAndJoinSide<K> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const k = this.keySerde.serialize(topic, data.key, headers) ?? EMPTY;
    const out = Buffer.allocUnsafe(9 + k.length);
    out.writeUInt32BE(Math.floor(data.timestamp / TWO_32), 0);
    out.writeUInt32BE(data.timestamp % TWO_32, 4);
    out[8] = data.leftSide ? 1 : 0;
    k.copy(out, 9);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): TimestampedKeyAndJoinSide<K> | null {
    if (data === null) return null;
    if (data.length < 9) throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `${data.length} bytes, need at least 9` }, { topic });
    const timestamp = data.readUInt32BE(0) * TWO_32 + data.readUInt32BE(4);
    const key = this.keySerde.deserialize(topic, data.subarray(9), headers) as K;
    return { timestamp, leftSide: data[8] === 1, key };
  }
}

/**
 * Serde of {@link LeftOrRightValues}: the values with the left or the right value serde.
 *
 * @example
 * new LeftOrRightValuesSerde(Serdes.string(), Serdes.int32()).serialize('t', { leftSide: true, values: ['a', 'b'] });
 */
export class LeftOrRightValuesSerde implements Serde<LeftOrRightValues> {
  readonly name: string;

  constructor(
    private readonly leftSerde: Serde<unknown>,
    private readonly rightSerde: Serde<unknown>,
  ) {
    this.name = `left-or-right(${leftSerde.name}, ${rightSerde.name})`;
  }

  serialize(topic: string, data: LeftOrRightValues | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const serde = data.leftSide ? this.leftSerde : this.rightSerde;
    const parts: Buffer[] = [];
    let size = 5;
    for (const v of data.values) {
      const bytes = serde.serialize(topic, v, headers) ?? EMPTY;
      parts.push(bytes);
      size += 4 + bytes.length;
    }
    const out = Buffer.allocUnsafe(size);
    out[0] = data.leftSide ? 1 : 0;
    out.writeUInt32BE(parts.length, 1);
    let at = 5;
    for (const p of parts) {
      out.writeUInt32BE(p.length, at);
      p.copy(out, at + 4);
      at += 4 + p.length;
    }
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): LeftOrRightValues | null {
    if (data === null) return null;
    const fail = (reason: string): never => {
      throw new SerdeError({ operation: 'deserialize', serde: this.name, reason }, { topic });
    };
    if (data.length < 5) fail(`${data.length} bytes, need at least 5`);
    const leftSide = data[0] === 1;
    const serde = leftSide ? this.leftSerde : this.rightSerde;
    const count = data.readUInt32BE(1);
    const values: unknown[] = [];
    let at = 5;
    for (let i = 0; i < count; i++) {
      if (at + 4 > data.length) fail(`value ${i} of ${count} is truncated`);
      const len = data.readUInt32BE(at);
      if (at + 4 + len > data.length) fail(`value ${i} of ${count} is truncated`);
      values.push(serde.deserialize(topic, data.subarray(at + 4, at + 4 + len), headers));
      at += 4 + len;
    }
    return { leftSide, values };
  }
}

/**
 * The builder of a join's outer shared store (never cached: the join reads its own writes in order).
 *
 * @example
 * outerJoinStoreFactory('attribution-outer-shared-join-store', options, clicks.keySerde, clicks.valueSerde, impressions.valueSerde);
 */
export function outerJoinStoreFactory<K, V, VO>(
  name: string,
  options: StreamJoined<K, V, VO>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  otherValueSerde: Serde<VO> | undefined,
): StoreFactory {
  return {
    name,
    build: (context) =>
      Stores.keyValueStoreBuilder({
        name,
        keySerde: new TimestampedKeyAndJoinSideSerde(resolveSerde(name, 'key', options.keySerde, keySerde, context)),
        valueSerde: new LeftOrRightValuesSerde(
          resolveSerde(name, 'value', options.valueSerde, valueSerde, context) as Serde<unknown>,
          resolveSerde(name, 'value', options.otherValueSerde, otherValueSerde, context) as Serde<unknown>,
        ),
        caching: false,
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.logging === undefined ? {} : { logging: options.logging }),
      }),
  };
}
