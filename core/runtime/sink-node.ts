/**
 * The sink node of a task: picks the topic (fixed, or per record through a TopicNameExtractor),
 * serializes key and value with its serdes (or the application's defaults) and hands the bytes to the
 * task's {@link RecordCollector}. A serialization failure goes to the production error handler.
 */
import type { Record } from '../processor/record.ts';
import type { Serde } from '../serde/serde.ts';
import type { RecordContext, StreamPartitioner, TopicNameExtractor } from '../topology/physical-topology.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import type { HandlerResponse, ProductionErrorContext } from './error-handlers.ts';
import { describeProduction } from './error-handlers.ts';
import type { ProcessorContextImpl } from './processor-context-impl.ts';
import { ANY_PARTITION, type RecordCollector } from './record-collector.ts';
import { RuntimeNode } from './runtime-node.ts';

/** How a sink names its topic: a resolved name, or an extractor whose result is used as is. */
export type SinkTopic = string | TopicNameExtractor<unknown, unknown>;

/**
 * Writes records to a topic.
 *
 * @example
 * new SinkNode('out', 'output', keySerde, valueSerde, undefined, context, collector, handler).process(record);
 */
export class SinkNode extends RuntimeNode {
  constructor(
    name: string,
    private readonly topic: SinkTopic,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerde: Serde<unknown>,
    private readonly partitioner: StreamPartitioner<unknown, unknown> | undefined,
    private readonly context: ProcessorContextImpl,
    private readonly collector: RecordCollector,
    private readonly onProductionError: (context: ProductionErrorContext) => HandlerResponse,
  ) {
    super(name);
  }

  process(record: Record<unknown, unknown>): void {
    const topic = typeof this.topic === 'string' ? this.topic : this.extractTopic(record);
    const timestamp = record.timestamp;
    if (!(timestamp >= 0)) {
      throw new StreamsError(
        `Sink "${this.name}": invalid (negative) timestamp ${timestamp} for a record to topic "${topic}"; ` +
          'use a timestamp extractor that gives valid timestamps',
      );
    }
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key = this.keySerde.serialize(topic, record.key);
      value = this.valueSerde.serialize(topic, record.value);
    } catch (error) {
      const ctx: ProductionErrorContext = { error, phase: 'serialization', topic, partition: -1, records: 1, nodeName: this.name };
      if (this.onProductionError(ctx) === 'continue') return;
      throw new StreamsError(describeProduction(ctx), { cause: error });
    }
    const headers = record.headers.size === 0 ? EMPTY : record.headers.toArray();
    if (this.partitioner === undefined) {
      this.collector.send(topic, key, value, headers, timestamp, ANY_PARTITION);
    } else {
      this.collector.sendPartitioned(topic, key, value, headers, timestamp, this.partitioner, record.key, record.value);
    }
  }

  private extractTopic(record: Record<unknown, unknown>): string {
    const c = this.context;
    const rc: RecordContext = {
      topic: c.topic,
      partition: c.partition,
      offset: c.offset,
      timestamp: record.timestamp,
      headers: record.headers,
    };
    const topic = (this.topic as TopicNameExtractor<unknown, unknown>)(record.key, record.value, rc);
    if (typeof topic !== 'string' || topic.length === 0) {
      throw new StreamsError(`Sink "${this.name}": the topic name extractor returned ${String(topic)}, not a topic name`);
    }
    return topic;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);
