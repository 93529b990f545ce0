/**
 * Failure policies of a streams application, as Kafka Streams' exception handlers: what happens when a
 * record does not deserialize, when a processor throws, and when a produced record cannot be serialized
 * or sent. Each policy is a name, a dead-letter topic, or a function deciding per failure.
 */
import type { IHeaders } from '../clients/log-client.ts';
import type { Record } from '../processor/record.ts';

/** What a handler decides: skip the record and go on, or stop the application (state ERROR). */
export type HandlerResponse = 'continue' | 'fail';

/** Everything known about a record that could not be deserialized. */
export interface DeserializationErrorContext {
  /** A SerdeError naming topic, partition and offset. */
  readonly error: Error;
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  /** The raw key and value bytes as they are in the log. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/** Everything known about a processor that threw. */
export interface ProcessingErrorContext {
  readonly error: unknown;
  readonly taskId: string;
  /** The node whose `process` threw. */
  readonly nodeName: string;
  /** Where the input record came from (null inside a punctuation). */
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
  /** The record the node was processing (null inside a punctuation). */
  readonly record: Record<unknown, unknown> | null;
}

/** Everything known about a record that could not be serialized or produced. */
export interface ProductionErrorContext {
  readonly error: unknown;
  /** `serialization` when the sink's serde failed; `send` when the log refused the records. */
  readonly phase: 'serialization' | 'send';
  readonly topic: string;
  /** The partition, -1 when not decided yet. */
  readonly partition: number;
  /** How many records the failure covers (one for serialization, the batch size for a send). */
  readonly records: number;
  /** Name of the sink node (serialization only, else null). */
  readonly nodeName: string | null;
}

/**
 * The deserialization policy: `'logAndFail'` (default, Kafka's), `'logAndContinue'` (skip the record),
 * `{ deadLetterTopic }` (send the raw record there with headers naming the error and its origin, then
 * continue), or a function.
 *
 * @example
 * deserializationErrorHandler: { deadLetterTopic: 'orders-dlq' }
 */
export type DeserializationErrorHandler =
  | 'logAndFail'
  | 'logAndContinue'
  | { readonly deadLetterTopic: string }
  | ((context: DeserializationErrorContext) => HandlerResponse);

/** The processing policy: `'logAndFail'` (default), `'logAndContinue'`, or a function. */
export type ProcessingErrorHandler = 'logAndFail' | 'logAndContinue' | ((context: ProcessingErrorContext) => HandlerResponse);

/** The production policy: `'logAndFail'` (default), `'logAndContinue'` (drop the records), or a function. */
export type ProductionErrorHandler = 'logAndFail' | 'logAndContinue' | ((context: ProductionErrorContext) => HandlerResponse);

/** A minimal logger for handler decisions. */
export interface HandlerLogger {
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
}

/**
 * Turns a named policy into a function; a function is wrapped so that a handler that throws or answers
 * something else counts as `'fail'`. Dead-letter policies are resolved by the caller (they need a sink).
 *
 * @example
 * const decide = resolveHandler('logAndContinue', logger, (c) => `skip ${c.topic}`);
 * decide(ctx); // 'continue', after a warning
 */
export function resolveHandler<C>(
  handler: 'logAndFail' | 'logAndContinue' | ((context: C) => HandlerResponse) | undefined,
  logger: HandlerLogger,
  describe: (context: C) => string,
): (context: C) => HandlerResponse {
  if (handler === undefined || handler === 'logAndFail') {
    return (context) => {
      logger.error(`${describe(context)}: failing (logAndFail)`);
      return 'fail';
    };
  }
  if (handler === 'logAndContinue') {
    return (context) => {
      logger.warn(`${describe(context)}: skipped (logAndContinue)`);
      return 'continue';
    };
  }
  if (typeof handler !== 'function') return () => 'fail';
  return (context) => {
    try {
      const answer = handler(context);
      return answer === 'continue' ? 'continue' : 'fail';
    } catch (error) {
      logger.error(`${describe(context)}: the error handler threw, failing`, { error });
      return 'fail';
    }
  };
}

/** One line naming a deserialization failure. */
export function describeDeserialization(c: DeserializationErrorContext): string {
  return `Task ${c.taskId}: cannot deserialize ${c.topic}-${c.partition} at offset ${c.offset}: ${c.error.message}`;
}

/** One line naming a processing failure. */
export function describeProcessing(c: ProcessingErrorContext): string {
  const where = c.topic === null ? 'in a punctuation' : `on ${c.topic}-${c.partition} at offset ${c.offset}`;
  return `Task ${c.taskId}: processor "${c.nodeName}" failed ${where}: ${messageOf(c.error)}`;
}

/** One line naming a production failure. */
export function describeProduction(c: ProductionErrorContext): string {
  const what = c.phase === 'serialization' ? `sink "${c.nodeName}" cannot serialize a record for` : `sending ${c.records} record(s) failed to`;
  return `${what} topic "${c.topic}": ${messageOf(c.error)}`;
}

/** The message of an error-like value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
