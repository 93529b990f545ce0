/**
 * Dead-letter routing of records that do not deserialize: the raw record (key, value, timestamp and
 * headers exactly as in the log) goes to the dead-letter topic with headers naming the error and where
 * the record came from, and processing continues.
 */
import type { RecordHeader } from '../log/log-contracts.ts';
import { toRecordHeaders } from '../clients/message-headers.ts';
import {
  describeDeserialization,
  resolveHandler,
  type DeserializationErrorContext,
  type DeserializationErrorHandler,
  type HandlerLogger,
  type HandlerResponse,
} from './error-handlers.ts';
import { ANY_PARTITION, type RecordCollector } from './record-collector.ts';

/** Header naming the error (its message). */
export const DLQ_ERROR_HEADER = '__tributary.error';
/** Header naming the source topic. */
export const DLQ_TOPIC_HEADER = '__tributary.topic';
/** Header naming the source partition (decimal). */
export const DLQ_PARTITION_HEADER = '__tributary.partition';
/** Header naming the source offset (decimal). */
export const DLQ_OFFSET_HEADER = '__tributary.offset';

/**
 * The headers of a dead-letter record: the original headers, then the four `__tributary.*` headers.
 *
 * @example
 * deadLetterHeaders(ctx).at(-1); // { key: '__tributary.offset', value: <Buffer 34 32> }
 */
export function deadLetterHeaders(context: DeserializationErrorContext): RecordHeader[] {
  return [
    ...toRecordHeaders(context.headers, `dead letter of ${context.topic}-${context.partition}@${context.offset}`),
    { key: DLQ_ERROR_HEADER, value: Buffer.from(context.error.message) },
    { key: DLQ_TOPIC_HEADER, value: Buffer.from(context.topic) },
    { key: DLQ_PARTITION_HEADER, value: Buffer.from(String(context.partition)) },
    { key: DLQ_OFFSET_HEADER, value: Buffer.from(String(context.offset)) },
  ];
}

/**
 * Turns the configured deserialization policy into a decision function; a dead-letter policy sends the
 * raw record through `collector` and continues.
 *
 * @example
 * const decide = resolveDeserializationHandler({ deadLetterTopic: 'dlq' }, collector, logger);
 */
export function resolveDeserializationHandler(
  handler: DeserializationErrorHandler | undefined,
  collector: RecordCollector,
  logger: HandlerLogger,
): (context: DeserializationErrorContext) => HandlerResponse {
  if (handler !== null && typeof handler === 'object' && typeof handler.deadLetterTopic === 'string') {
    const topic = handler.deadLetterTopic;
    return (context) => {
      collector.send(topic, context.key, context.value, deadLetterHeaders(context), context.timestamp, ANY_PARTITION);
      logger.warn(`${describeDeserialization(context)}: sent to dead-letter topic "${topic}"`);
      return 'continue';
    };
  }
  return resolveHandler(handler as Exclude<DeserializationErrorHandler, { deadLetterTopic: string }> | undefined, logger, describeDeserialization);
}
