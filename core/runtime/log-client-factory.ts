/**
 * The seam between the runtime and the log: the runtime only talks to the {@link LogClient} contract,
 * and this factory turns the `log` option into a client. The embedded log is opened here (and owned by
 * the application); a given client is shared (not closed by the application); the kafkajs backend will
 * be one more branch returning a LogClient.
 */
import type { LogClient } from '../clients/log-client.ts';
import { EmbeddedLog } from '../clients/embedded/embedded-log.ts';
import type { Clock } from '../time/clock.ts';
import { InvalidConfigError } from '../errors/log-errors.ts';
import type { StreamsLogConfig } from './streams-config.ts';

/** A client and whether the application owns (and so closes) it. */
export interface OpenedLog {
  readonly client: LogClient;
  readonly owned: boolean;
}

/**
 * Checks that the configured backend exists in this build.
 * @throws InvalidConfigError for `{ kafka }`: the kafkajs backend is not built yet
 */
export function checkLogBackend(log: StreamsLogConfig): void {
  if ('kafka' in log) {
    throw new InvalidConfigError(
      'log: { kafka } is not available yet: the kafkajs backend arrives with the broker milestone. ' +
        'Use log: { embedded: { dir } } or log: { client } (an open LogClient)',
    );
  }
}

/**
 * Opens the configured log.
 * @throws InvalidConfigError for an unavailable backend; StorageError when the embedded directory is locked
 * @example
 * const { client, owned } = await openLogClient({ embedded: { dir: './data' } }, systemClock);
 */
export async function openLogClient(log: StreamsLogConfig, clock: Clock): Promise<OpenedLog> {
  checkLogBackend(log);
  if ('client' in log) return { client: log.client, owned: false };
  if ('embedded' in log) return { client: await EmbeddedLog.open({ dir: log.embedded.dir, clock }), owned: true };
  throw new InvalidConfigError('log must be { embedded: { dir } } or { client }');
}
