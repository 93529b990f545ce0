/**
 * The records of the TopologyTestDriver: {@link TestRecord} (what tests pipe in and read out) and
 * {@link DriverMessage}, the consumed-message shape the driver feeds to tasks in place of the log's.
 */
import type { IHeaders, KafkaMessage } from '../clients/log-client.ts';
import { toIHeaders } from '../clients/message-headers.ts';
import type { RecordHeader } from '../log/log-contracts.ts';
import { Headers } from '../processor/record.ts';

/**
 * A record piped into or read from a test topic.
 *
 * @example
 * input.pipeRecordList([new TestRecord('k', 'v', 1000)]);
 */
export class TestRecord<K, V> {
  readonly headers: Headers;
  constructor(
    readonly key: K,
    readonly value: V,
    /** Undefined on input means "the topic's current time". */
    readonly timestamp?: number,
    headers?: Headers | readonly RecordHeader[],
  ) {
    this.headers = headers instanceof Headers ? headers : new Headers(headers ?? []);
  }
}

/** A key and a value. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** A serialized record as the driver holds it per topic. */
export interface CapturedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
  readonly timestamp: number;
}

/**
 * A consumed message made by the driver: kafkajs's shape plus the numeric offset/timestamp and the
 * exact header list, which the task's record queue reads directly.
 */
export class DriverMessage implements KafkaMessage {
  readonly attributes = 0;
  readonly size: number;
  constructor(
    readonly key: Buffer | null,
    readonly value: Buffer | null,
    readonly recordHeaders: readonly RecordHeader[],
    readonly timestampNumber: number,
    readonly offsetNumber: number,
  ) {
    this.size = (key?.length ?? 0) + (value?.length ?? 0);
  }

  get offset(): string {
    return String(this.offsetNumber);
  }

  get timestamp(): string {
    return String(this.timestampNumber);
  }

  get headers(): IHeaders {
    return toIHeaders(this.recordHeaders);
  }
}
