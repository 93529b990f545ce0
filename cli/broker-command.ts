/**
 * `tributary broker`: serves a data directory over the Kafka wire protocol until SIGTERM or SIGINT, then
 * shuts down gracefully (connections closed, group coordinator closed, every partition flushed and its
 * segments closed with a clean-shutdown marker). A second signal exits at once.
 *
 *   tributary broker --data DIR [--port 9092] [--host 127.0.0.1] [--advertised-host H --advertised-port P]
 *                    [--flush always|os|MS]
 */
import { KafkaBroker } from '../core/broker/broker.ts';
import type { BrokerLogger } from '../core/broker/broker-context.ts';
import type { FlushPolicy } from '../core/log/log-contracts.ts';

/** Options of {@link runBrokerCommand}, as given on the command line. */
export interface BrokerCommandOptions {
  readonly data: string;
  readonly host: string;
  readonly port: string;
  readonly advertisedHost?: string | undefined;
  readonly advertisedPort?: string | undefined;
  /** `always` (fsync before every acknowledgement), `os` (never fsync explicitly) or an interval in ms. */
  readonly flush: string;
}

const logger: BrokerLogger = {
  debug: () => undefined,
  info: (message) => console.error(`${new Date().toISOString()} INFO ${message}`),
  warn: (message) => console.error(`${new Date().toISOString()} WARN ${message}`),
  error: (message, extra) => console.error(`${new Date().toISOString()} ERROR ${message}`, extra ?? ''),
};

/** Parses `--flush`. Returns an error message for a bad value. */
export function parseFlushOption(value: string): FlushPolicy | string {
  if (value === 'always') return { mode: 'always' };
  if (value === 'os') return { mode: 'os' };
  const ms = Number(value);
  if (Number.isInteger(ms) && ms > 0) return { mode: 'interval', intervalMs: ms };
  return `--flush takes always, os or an interval in milliseconds, got "${value}"`;
}

function parsePort(name: string, value: string): number | string {
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : `${name} takes a port number, got "${value}"`;
}

/**
 * Runs the broker until SIGTERM/SIGINT. Prints `listening on HOST:PORT` on stdout once it serves.
 * @returns the process exit code (0 after a graceful shutdown, 2 for bad options, 1 when start or close failed)
 */
export async function runBrokerCommand(options: BrokerCommandOptions): Promise<number> {
  const flushPolicy = parseFlushOption(options.flush);
  const port = parsePort('--port', options.port);
  const advertisedPort = options.advertisedPort === undefined ? undefined : parsePort('--advertised-port', options.advertisedPort);
  for (const problem of [flushPolicy, port, advertisedPort]) {
    if (typeof problem === 'string') {
      console.error(`tributary: ${problem}`);
      return 2;
    }
  }
  let broker: KafkaBroker;
  try {
    broker = await KafkaBroker.start({
      dir: options.data,
      host: options.host,
      port: port as number,
      flushPolicy: flushPolicy as FlushPolicy,
      logger,
      ...(options.advertisedHost === undefined ? {} : { advertisedHost: options.advertisedHost }),
      ...(advertisedPort === undefined ? {} : { advertisedPort: advertisedPort as number }),
    });
  } catch (error) {
    console.error(`tributary: cannot start the broker: ${(error as Error).message}`);
    return 1;
  }
  console.log(`listening on ${broker.address.host}:${broker.address.port}`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn(`${signal} again: exiting without finishing the shutdown`);
        process.exit(1);
      }
      stopping = true;
      logger.info(`${signal}: shutting down`);
      broker.close().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error(`Shutdown failed: ${(error as Error).message}`, { error });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
