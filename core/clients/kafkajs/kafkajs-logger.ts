/**
 * kafkajs's logging routed to a Tributary {@link ClientLogger}: each kafkajs log entry becomes one call
 * at the same level, the message prefixed with kafkajs's namespace (`[Consumer]`, `[Connection]`).
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { ClientLogger } from '../log-client.ts';

/**
 * A kafkajs `logCreator` writing to `logger`.
 *
 * @param logger where the entries go
 * @returns the value for kafkajs's `logCreator` option
 * @example
 * new Kafka({ brokers, logCreator: kafkajsLogCreator(console), logLevel: logLevel.WARN });
 */
export function kafkajsLogCreator(logger: ClientLogger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const text = namespace ? `[kafkajs ${namespace}] ${message}` : `[kafkajs] ${message}`;
      const details = Object.keys(extra).length > 0 ? extra : undefined;
      if (level === logLevel.ERROR) logger.error(text, details);
      else if (level === logLevel.WARN) logger.warn(text, details);
      else if (level === logLevel.INFO) logger.info(text, details);
      else logger.debug(text, details);
    };
}
