/**
 * The consumed message of the embedded consumer: one class, so every message has the same shape. The
 * message keeps a reference to the fetched bytes and positions into them; `key`, `value`, `offset`,
 * `timestamp` and `headers` are computed when read (keys and values are views into the fetched bytes,
 * never copies). Decoding a batch therefore allocates one small object per record.
 */
import type { IHeaders, KafkaMessage } from '../log-client.ts';
import { VarintReader } from '../../log/varint.ts';
import { addHeader } from '../message-headers.ts';

const EMPTY_HEADERS: IHeaders = Object.freeze({}) as IHeaders;
const headerReader = new VarintReader();

/**
 * A kafkajs-shaped consumed message backed by the fetched batch bytes.
 *
 * Semantics differ from a plain object in two visible ways: the fields are prototype getters (object
 * spread and `Object.keys` do not see them; `JSON.stringify` does, through `toJSON`), and each read of
 * `key`/`value` returns a new view of the same bytes.
 */
export class EmbeddedKafkaMessage implements KafkaMessage {
  /** The bytes the record lives in (the fetched buffer or the decompressed records block). */
  readonly data: Buffer;
  private readonly keyPos: number;
  private readonly keyLen: number;
  private readonly valuePos: number;
  private readonly valueLen: number;
  private readonly headerPos: number;
  private readonly headerCount: number;
  /** The offset as a number. */
  readonly offsetNumber: number;
  /** The timestamp as a number (ms since the epoch). */
  readonly timestampNumber: number;
  /** Record attributes byte (unused by Kafka v2 records, so normally 0). */
  readonly attributes: number;
  /** Encoded size of the record in bytes. */
  readonly size: number;
  private cachedHeaders: IHeaders | null;

  constructor(
    data: Buffer,
    keyPos: number,
    keyLen: number,
    valuePos: number,
    valueLen: number,
    headerPos: number,
    headerCount: number,
    offset: number,
    timestamp: number,
    attributes: number,
    size: number,
  ) {
    this.data = data;
    this.keyPos = keyPos;
    this.keyLen = keyLen;
    this.valuePos = valuePos;
    this.valueLen = valueLen;
    this.headerPos = headerPos;
    this.headerCount = headerCount;
    this.offsetNumber = offset;
    this.timestampNumber = timestamp;
    this.attributes = attributes;
    this.size = size;
    this.cachedHeaders = null;
  }

  /** The key bytes, or null. */
  get key(): Buffer | null {
    return this.keyLen < 0 ? null : this.data.subarray(this.keyPos, this.keyPos + this.keyLen);
  }

  /** The value bytes, or null (a tombstone). */
  get value(): Buffer | null {
    return this.valueLen < 0 ? null : this.data.subarray(this.valuePos, this.valuePos + this.valueLen);
  }

  /** The offset as a decimal string (kafkajs shape). */
  get offset(): string {
    return String(this.offsetNumber);
  }

  /** The timestamp as a decimal string (kafkajs shape). */
  get timestamp(): string {
    return String(this.timestampNumber);
  }

  /** Headers as kafkajs gives them: Buffer values, arrays for repeated keys. Parsed on first read. */
  get headers(): IHeaders {
    if (this.cachedHeaders !== null) return this.cachedHeaders;
    if (this.headerCount === 0) return EMPTY_HEADERS;
    const out: IHeaders = {};
    const r = headerReader;
    const data = this.data;
    r.reset(data, this.headerPos, data.length);
    for (let h = 0; h < this.headerCount; h++) {
      const kl = r.readVarint();
      const key = data.toString('utf8', r.pos, r.pos + kl);
      r.pos += kl;
      const vl = r.readVarint();
      let value: Buffer | null = null;
      if (vl >= 0) {
        value = data.subarray(r.pos, r.pos + vl);
        r.pos += vl;
      }
      addHeader(out, key, value);
    }
    this.cachedHeaders = out;
    return out;
  }

  /** A plain-object copy of the kafkajs fields. */
  toJSON(): KafkaMessage {
    return {
      key: this.key,
      value: this.value,
      timestamp: this.timestamp,
      attributes: this.attributes,
      offset: this.offset,
      headers: this.headers,
      size: this.size,
    };
  }
}
