/**
 * Errors of the kafkajs backend as Tributary errors: a kafkajs protocol error carries Kafka's error name
 * (`type`, e.g. `UNKNOWN_TOPIC_OR_PARTITION`), which is also Tributary's {@link ErrorCode} for the same
 * condition; connection failures, request timeouts and exhausted retries become `TIMEOUT`; anything else
 * is a `PROTOCOL` error. The kafkajs error stays reachable as `cause`.
 */
import { ERROR_CODES, TributaryError, type ErrorCode } from '../../errors/tributary-error.ts';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Kafka's "rejoin the group" errors: retriable, as Tributary's own group errors are. */
const REJOIN_CODES: ReadonlySet<string> = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

const TIMEOUT_NAMES: ReadonlySet<string> = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);

/** A failure reported by kafkajs (a Kafka error, a connection problem, a timeout), with kafkajs's error as `cause`. */
export class KafkaClientError extends TributaryError {
  /**
   * @param code Tributary's code for the failure
   * @param message names the operation and the entity (topic, group)
   */
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(code, message, options);
  }
}

/**
 * Turns whatever kafkajs threw into a {@link TributaryError} (Tributary errors pass through unchanged).
 *
 * @param error what kafkajs threw
 * @param operation names the call in the message (`createTopics`, `commitOffsets of group "app"`)
 * @returns a TributaryError whose `cause` is the original error
 * @example
 * try { await admin.createTopics(...) } catch (e) { throw toTributaryError(e, 'createTopics'); }
 */
export function toTributaryError(error: unknown, operation: string): TributaryError {
  if (error instanceof TributaryError) return error;
  const found = innermostKafkaType(error);
  const message = `${operation} failed: ${messageOf(error)}`;
  const retriable = isRetriable(error) || (found !== null && REJOIN_CODES.has(found));
  if (found !== null && KNOWN_CODES.has(found)) return new KafkaClientError(found as ErrorCode, message, { cause: error, retriable });
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && TIMEOUT_NAMES.has(name)) return new KafkaClientError('TIMEOUT', message, { cause: error, retriable: true });
  return new KafkaClientError('PROTOCOL', message, { cause: error, retriable });
}

/**
 * Runs a kafkajs call and rethrows its failure as a {@link TributaryError}.
 * @example
 * const topics = await translated('listTopics', () => admin.listTopics());
 */
export async function translated<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTributaryError(error, operation);
  }
}

function innermostKafkaType(error: unknown): string | null {
  let e: unknown = error;
  let found: string | null = null;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') found = type;
    e = (e as { cause?: unknown; originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return found;
}

function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable === true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
