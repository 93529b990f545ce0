import type { RecordHeader } from '../log/log-contracts.ts';

const EMPTY: readonly RecordHeader[] = Object.freeze([]);

/**
 * Record headers as Kafka Streams sees them: an ordered list where keys may repeat. Mutable, as in Kafka
 * Streams; copy with {@link Headers.clone} before changing headers you received and forward elsewhere.
 */
export class Headers {
  /** Shared with the source until the first change (copy on write), so reading costs no copy. */
  private list: readonly RecordHeader[];
  private owned: boolean;

  constructor(headers: readonly RecordHeader[] = EMPTY) {
    this.list = headers;
    this.owned = false;
  }

  private writable(): RecordHeader[] {
    if (!this.owned) {
      this.list = this.list.slice();
      this.owned = true;
    }
    return this.list as RecordHeader[];
  }

  /** Appends a header (keys may repeat). */
  add(key: string, value: Buffer | string | null): this {
    this.writable().push({ key, value: typeof value === 'string' ? Buffer.from(value) : value });
    return this;
  }

  /** Removes every header with this key. */
  remove(key: string): this {
    if (this.lastHeader(key) === undefined) return this;
    const list = this.writable();
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.key === key) list.splice(i, 1);
    return this;
  }

  /** The last header with this key, or undefined. */
  lastHeader(key: string): RecordHeader | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.key === key) return this.list[i];
    return undefined;
  }

  /** All headers with this key, in order. */
  headers(key: string): RecordHeader[] {
    return this.list.filter((h) => h.key === key);
  }

  /** Number of headers. */
  get size(): number {
    return this.list.length;
  }

  /** The headers as a list (a copy). */
  toArray(): RecordHeader[] {
    return this.list.slice();
  }

  /** A copy that can be changed independently. */
  clone(): Headers {
    return new Headers(this.list);
  }
}

/**
 * One record flowing through a topology: key, value, timestamp (ms) and headers. Immutable except for
 * its headers; the `with*` methods return a new record.
 *
 * @example
 * context.forward(record.withValue(record.value.toUpperCase()));
 */
export class Record<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;

  constructor(key: K, value: V, timestamp: number, headers?: Headers) {
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.headers = headers ?? new Headers();
  }

  /** The same record with another key. */
  withKey<K2>(key: K2): Record<K2, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  /** The same record with another value. */
  withValue<V2>(value: V2): Record<K, V2> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  /** The same record with another timestamp. */
  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  /** The same record with other headers. */
  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}
