/**
 * The seam between the runtime and the log: the runtime only talks to the {@link LogClient} contract,
 * and this factory turns the `log` option into a client. The embedded log is opened here (and owned by
 * the application); a given client is shared (not closed by the application); `{ kafka }` creates a
 * kafkajs client on a Kafka cluster or `tributary broker` (owned by the application).
 */
import type { ClientLogger, LogClient } from '../clients/log-client.ts';
import { EmbeddedLog } from '../clients/embedded/embedded-log.ts';
import { checkKafkaOptions, KafkajsLogClient, type KafkajsLogClientOptions } from '../clients/kafkajs/kafkajs-log-client.ts';
import type { Clock } from '../time/clock.ts';
import { InvalidConfigError } from '../errors/log-errors.ts';
import type { StreamsLogConfig } from './streams-config.ts';

/** A client and whether the application owns (and so closes) it. */
export interface OpenedLog {
  readonly client: LogClient;
  readonly owned: boolean;
}

/**
 * Checks the configured backend's options before anything connects.
 * @throws InvalidConfigError for `{ kafka }` without valid brokers
 */
export function checkLogBackend(log: StreamsLogConfig): void {
  if ('kafka' in log) checkKafkaOptions(log.kafka);
}

/**
 * Opens the configured log.
 * @param logger where the kafkajs backend logs (default: warnings and errors to the console)
 * @throws InvalidConfigError for a malformed `log`; StorageError when the embedded directory is locked
 * @example
 * const { client, owned } = await openLogClient({ embedded: { dir: './data' } }, systemClock);
 * const kafka = await openLogClient({ kafka: { brokers: ['localhost:9092'] } }, systemClock);
 */
export async function openLogClient(log: StreamsLogConfig, clock: Clock, logger?: ClientLogger): Promise<OpenedLog> {
  checkLogBackend(log);
  if ('client' in log) return { client: log.client, owned: false };
  if ('embedded' in log) return { client: await EmbeddedLog.open({ dir: log.embedded.dir, clock }), owned: true };
  if ('kafka' in log) {
    const options: KafkajsLogClientOptions = { ...log.kafka, ...(logger === undefined ? {} : { logger }) };
    return { client: new KafkajsLogClient(options), owned: true };
  }
  throw new InvalidConfigError('log must be { embedded: { dir } }, { client } or { kafka: { brokers } }');
}
