/**
 * An output topic of the TopologyTestDriver: reads, in order, the records the topology wrote to a topic,
 * deserialized with the given serdes. Reading consumes: each record is returned once.
 */
import type { Serde } from '../serde/serde.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import { TestRecord, type CapturedRecord, type KeyValue } from './test-record.ts';

/** What an output topic needs from its driver. */
export interface OutputTopicSource {
  /** The captured records of a topic not read yet (the topic's own queue; the caller shifts from it). */
  captured(topic: string): CapturedRecord[];
}

/**
 * Reads typed records from a topic.
 *
 * @example
 * const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
 * out.readKeyValue(); // { key: 'k', value: 'HELLO' }
 */
export class TestOutputTopic<K, V> {
  constructor(
    private readonly driver: OutputTopicSource,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /**
   * The next record with key, value, timestamp and headers.
   * @throws StreamsError when the topic has no unread record
   */
  readRecord(): TestRecord<K | null, V | null> {
    const queue = this.driver.captured(this.topic);
    const r = queue.shift();
    if (r === undefined) throw new StreamsError(`Output topic "${this.topic}" has no record to read`);
    return new TestRecord(
      this.keySerde.deserialize(this.topic, r.key, r.headers),
      this.valueSerde.deserialize(this.topic, r.value, r.headers),
      r.timestamp,
      r.headers,
    );
  }

  /** The next record's key and value. @throws StreamsError when empty */
  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  /** The next record's value. @throws StreamsError when empty */
  readValue(): V | null {
    return this.readRecord().value;
  }

  /** Every unread record, in order. */
  readRecordsToList(): TestRecord<K | null, V | null>[] {
    const out: TestRecord<K | null, V | null>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  /** Every unread key-value pair, in order. */
  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /** Every unread value, in order. */
  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /**
   * Every unread record as a map from key to its latest value (a table view).
   * @throws StreamsError for a record with a null key
   */
  readKeyValuesToMap(): Map<K, V | null> {
    const out = new Map<K, V | null>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null) throw new StreamsError(`Output topic "${this.topic}": a null key cannot go into readKeyValuesToMap`);
      out.set(r.key, r.value);
    }
    return out;
  }

  /** Whether every record was read. */
  isEmpty(): boolean {
    return this.driver.captured(this.topic).length === 0;
  }

  /** Unread records. */
  getQueueSize(): number {
    return this.driver.captured(this.topic).length;
  }
}
