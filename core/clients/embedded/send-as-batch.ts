/**
 * `send(record)` of the embedded producer and transaction: one topic's messages sent as a batch.
 */
import type { ProducerBatch, ProducerRecord, RecordMetadata } from '../log-client.ts';
import { InvalidArgumentError } from '../../errors/log-errors.ts';

/** Sends `record` through `sendBatch` as a one-topic batch; rejects a record that is not an object. */
export function sendAsBatch(record: ProducerRecord, sendBatch: (batch: ProducerBatch) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
  if (record === null || typeof record !== 'object') {
    return Promise.reject(new InvalidArgumentError('send() needs { topic, messages }'));
  }
  return sendBatch({
    acks: record.acks,
    timeout: record.timeout,
    compression: record.compression,
    topicMessages: [{ topic: record.topic, messages: record.messages }],
  });
}
