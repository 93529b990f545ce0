/**
 * Serdes of windowed keys (Kafka Streams' `WindowedSerdes`), for writing windowed results to topics
 * and for suppression buffers:
 * - time windows: `[key bytes][window start, 8 bytes BE]`; the end is `start + windowSize` (so the
 *   deserializer needs the window size: for sliding windows it is the time difference);
 * - session windows: `[key bytes][end, 8 bytes BE][start, 8 bytes BE]` (Kafka's session key layout).
 */
import type { RecordHeader } from '../core/log/log-contracts.ts';
import { SerdeError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { Windowed } from './store-views.ts';

function writeTime(out: Buffer, value: number, offset: number): void {
  out.writeUInt32BE(Math.floor(value / 0x1_0000_0000) >>> 0, offset);
  out.writeUInt32BE(value >>> 0, offset + 4);
}

function readTime(data: Buffer, offset: number): number {
  return data.readUInt32BE(offset) * 0x1_0000_0000 + data.readUInt32BE(offset + 4);
}

class TimeWindowedSerde<K> implements Serde<Windowed<K>> {
  readonly name: string;
  constructor(
    private readonly inner: Serde<K>,
    private readonly windowSizeMs: number,
  ) {
    this.name = `timeWindowed(${inner.name})`;
  }

  serialize(topic: string, data: Windowed<K> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const key = this.inner.serialize(topic, data.key, headers) ?? Buffer.alloc(0);
    const out = Buffer.allocUnsafe(key.length + 8);
    key.copy(out, 0);
    writeTime(out, data.window.start, key.length);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): Windowed<K> | null {
    if (data === null) return null;
    if (data.length < 8) throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `${data.length} bytes is too short` }, { topic });
    const start = readTime(data, data.length - 8);
    const key = this.inner.deserialize(topic, data.subarray(0, data.length - 8), headers) as K;
    return { key, window: { start, end: start + this.windowSizeMs } };
  }
}

class SessionWindowedSerde<K> implements Serde<Windowed<K>> {
  readonly name: string;
  constructor(private readonly inner: Serde<K>) {
    this.name = `sessionWindowed(${inner.name})`;
  }

  serialize(topic: string, data: Windowed<K> | null, headers?: RecordHeader[]): Buffer | null {
    if (data === null) return null;
    const key = this.inner.serialize(topic, data.key, headers) ?? Buffer.alloc(0);
    const out = Buffer.allocUnsafe(key.length + 16);
    key.copy(out, 0);
    writeTime(out, data.window.end, key.length);
    writeTime(out, data.window.start, key.length + 8);
    return out;
  }

  deserialize(topic: string, data: Buffer | null, headers?: readonly RecordHeader[]): Windowed<K> | null {
    if (data === null) return null;
    if (data.length < 16) throw new SerdeError({ operation: 'deserialize', serde: this.name, reason: `${data.length} bytes is too short` }, { topic });
    const end = readTime(data, data.length - 16);
    const start = readTime(data, data.length - 8);
    const key = this.inner.deserialize(topic, data.subarray(0, data.length - 16), headers) as K;
    return { key, window: { start, end } };
  }
}

/**
 * Serdes of `Windowed<K>` keys.
 *
 * @example
 * counts.toStream().to('counts-5m', { keySerde: WindowedSerdes.timeWindowed(Serdes.string(), 300_000), valueSerde: Serdes.int64() });
 */
export const WindowedSerdes = {
  /** Keys of time (tumbling, hopping) or sliding windows of `windowSizeMs`. */
  timeWindowed<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return new TimeWindowedSerde(inner, windowSizeMs);
  },
  /** Keys of session windows. */
  sessionWindowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return new SessionWindowedSerde(inner);
  },
};
