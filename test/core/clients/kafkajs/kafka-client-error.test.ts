import { describe, expect, it } from 'vitest';
import { KafkaClientError, toTributaryError, translated } from '../../../../core/clients/kafkajs/kafka-client-error.ts';
import { TributaryError } from '../../../../core/errors/tributary-error.ts';
import { InvalidArgumentError } from '../../../../core/errors/log-errors.ts';

/** The shapes kafkajs throws (src/errors.js): protocol errors carry Kafka's name in `type`; wrappers keep `cause`. */
function protocolError(type: string, retriable = false): Error {
  return Object.assign(new Error(`kafka says ${type}`), { name: 'KafkaJSProtocolError', type, retriable });
}

describe('core/clients/kafkajs/kafka-client-error', () => {
  it('maps a Kafka error name to the Tributary code of the same name, keeping the cause', () => {
    const cause = protocolError('UNKNOWN_TOPIC_OR_PARTITION', true);
    const e = toTributaryError(cause, 'fetchTopicOffsets("x")');
    expect(e).toBeInstanceOf(KafkaClientError);
    expect(e.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(e.retriable).toBe(true);
    expect(e.message).toBe('fetchTopicOffsets("x") failed: kafka says UNKNOWN_TOPIC_OR_PARTITION');
    expect(e.cause).toBe(cause);
  });

  it('finds the Kafka error inside kafkajs retry wrappers; rejoin errors are retriable as Tributary group errors are', () => {
    const inner = protocolError('REBALANCE_IN_PROGRESS', false);
    const wrapped = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNonRetriableError', retriable: false, cause: inner });
    const e = toTributaryError(wrapped, 'commitOffsets');
    expect(e.code).toBe('REBALANCE_IN_PROGRESS');
    expect(e.retriable).toBe(true);
  });

  it('connection failures and timeouts become TIMEOUT, anything else PROTOCOL; Tributary errors pass through', () => {
    expect(toTributaryError(Object.assign(new Error('refused'), { name: 'KafkaJSConnectionError' }), 'connect').code).toBe('TIMEOUT');
    expect(toTributaryError(Object.assign(new Error('slow'), { name: 'KafkaJSRequestTimeoutError' }), 'send').code).toBe('TIMEOUT');
    expect(toTributaryError(protocolError('SOMETHING_NEW'), 'x').code).toBe('PROTOCOL');
    expect(toTributaryError('a string', 'x').code).toBe('PROTOCOL');
    const own = new InvalidArgumentError('bad');
    expect(toTributaryError(own, 'x')).toBe(own);
  });

  it('translated() rethrows as a TributaryError and passes results through', async () => {
    expect(await translated('ok', async () => 42)).toBe(42);
    await expect(translated('createTopics(t)', async () => Promise.reject(protocolError('TOPIC_ALREADY_EXISTS')))).rejects.toSatisfy(
      (e: unknown) => e instanceof TributaryError && e.code === 'TOPIC_ALREADY_EXISTS',
    );
  });
});
