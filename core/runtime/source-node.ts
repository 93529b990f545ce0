/**
 * The source node of a task: turns the raw bytes of a consumed record into a typed key and value with
 * its serdes (falling back to the application's default serdes) and forwards the record to its children.
 */
import type { RecordHeader } from '../log/log-contracts.ts';
import type { Record } from '../processor/record.ts';
import type { Serde } from '../serde/serde.ts';
import type { TimestampExtractor } from '../topology/physical-topology.ts';
import { withRecordLocation } from '../errors/streams-errors.ts';
import type { ProcessorContextImpl } from './processor-context-impl.ts';
import { RuntimeNode } from './runtime-node.ts';

/**
 * A source node of a running task.
 *
 * @example
 * const key = source.deserializeKey('orders', 0, 41, keyBytes, headers); // typed key or SerdeError
 */
export class SourceNode extends RuntimeNode {
  constructor(
    name: string,
    private readonly context: ProcessorContextImpl,
    readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    readonly timestampExtractor: TimestampExtractor | null,
  ) {
    super(name);
  }

  /**
   * Deserializes a key.
   * @throws SerdeError naming topic, partition and offset
   */
  deserializeKey(topic: string, partition: number, offset: number, data: Buffer | null, headers: readonly RecordHeader[]): unknown {
    try {
      return this.keySerde.deserialize(topic, data, headers);
    } catch (error) {
      throw withRecordLocation(error, topic, partition, offset, { role: 'key', serde: this.keySerde.name });
    }
  }

  /**
   * Deserializes a value.
   * @throws SerdeError naming topic, partition and offset
   */
  deserializeValue(topic: string, partition: number, offset: number, data: Buffer | null, headers: readonly RecordHeader[]): unknown {
    try {
      return this.valueSerde.deserialize(topic, data, headers);
    } catch (error) {
      throw withRecordLocation(error, topic, partition, offset, { role: 'value', serde: this.valueSerde.name });
    }
  }

  process(record: Record<unknown, unknown>): void {
    this.context.forward(record);
  }
}
