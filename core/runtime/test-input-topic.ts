/**
 * An input topic of the TopologyTestDriver: serializes with the given serdes and pipes records into the
 * driver, which processes each one to completion before returning. Timestamps default to the topic's
 * own clock, which starts at `startTimestamp` and advances by `autoAdvanceMs` after each record.
 */
import type { RecordHeader } from '../log/log-contracts.ts';
import { Headers } from '../processor/record.ts';
import type { Serde } from '../serde/serde.ts';
import { TestRecord, type KeyValue } from './test-record.ts';

/** What an input topic needs from its driver. */
export interface InputTopicSink {
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[], timestamp: number): void;
}

/** Options of {@link TopologyTestDriver.createInputTopic}. */
export interface TestInputTopicOptions {
  /** The first default timestamp. Default: the driver's initial wall-clock time. */
  readonly startTimestamp?: number;
  /** How much the default timestamp advances after each record. Default 0. */
  readonly autoAdvanceMs?: number;
}

/**
 * Pipes typed records into a topic.
 *
 * @example
 * const lines = driver.createInputTopic('lines', Serdes.string(), Serdes.string());
 * lines.pipeInput('k', 'hello', 1000);
 */
export class TestInputTopic<K, V> {
  private currentTime: number;

  constructor(
    private readonly driver: InputTopicSink,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestamp: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTime = startTimestamp;
  }

  /**
   * Pipes one record and processes it (and everything it causes) to completion.
   * @param timestamp default: the topic's current time, which then advances by `autoAdvanceMs`
   */
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers?: Headers | readonly RecordHeader[]): void {
    const ts = timestamp ?? this.nextTimestamp();
    const list = headers === undefined ? [] : headers instanceof Headers ? headers.toArray() : headers;
    const keyBytes = this.keySerde.serialize(this.topic, key);
    const valueBytes = this.valueSerde.serialize(this.topic, value);
    this.driver.pipeRaw(this.topic, keyBytes, valueBytes, list, ts);
  }

  /** Pipes records in order (a record without timestamp gets the topic's current time). */
  pipeRecordList(records: readonly TestRecord<K | null, V | null>[]): void {
    for (const r of records) this.pipeInput(r.key, r.value, r.timestamp, r.headers);
  }

  /** Pipes key-value pairs (`[key, value]` tuples or `{ key, value }`) with the topic's timestamps. */
  pipeKeyValueList(list: readonly (readonly [K | null, V | null] | KeyValue<K | null, V | null>)[]): void {
    for (const kv of list) {
      if (Array.isArray(kv)) this.pipeInput(kv[0] as K | null, kv[1] as V | null);
      else this.pipeInput((kv as KeyValue<K | null, V | null>).key, (kv as KeyValue<K | null, V | null>).value);
    }
  }

  /** Pipes values with null keys and the topic's timestamps. */
  pipeValueList(values: readonly (V | null)[]): void {
    for (const v of values) this.pipeInput(null, v);
  }

  /** Moves the topic's default timestamp forward. */
  advanceTime(ms: number): void {
    this.currentTime += ms;
  }

  private nextTimestamp(): number {
    const ts = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return ts;
  }
}

export { TestRecord };
