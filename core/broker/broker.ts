/**
 * `KafkaBroker`: Tributary's log engine served over the Apache Kafka wire protocol, so any Kafka client
 * (kafkajs, kcat/librdkafka, the Java client) can produce, consume, run consumer groups and administer
 * topics against it. One broker (node id 0) is the whole cluster: the leader of every partition, the
 * controller and the group coordinator.
 *
 * Steps of a request: a {@link BrokerConnection} frames it, the {@link RequestDispatcher} decodes the
 * header and body with the protocol codec and calls the API's handler (core/broker/handlers), which
 * works on the {@link LogManager}, {@link GroupCoordinator} and {@link TransactionCoordinator}; the response
 * goes back in request order. The broker always runs its own transaction coordinator over the log it serves.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { AppendNotifier } from '../clients/embedded/append-notifier.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';
import { GroupCoordinator } from '../log/group-coordinator.ts';
import type { FlushPolicy } from '../log/log-contracts.ts';
import { LogManager } from '../log/log-manager.ts';
import { TransactionCoordinator } from '../log/transaction-coordinator.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { BROKER_NODE_ID, type BrokerContext, type BrokerLogger } from './broker-context.ts';
import { BrokerConnection } from './connection.ts';
import { BROKER_HANDLERS } from './handlers/broker-handlers.ts';
import { RequestDispatcher } from './request-dispatcher.ts';
import { ReadBufferPool } from './read-buffer-pool.ts';

/** Kafka's default `socket.request.max.bytes` (100 MiB). */
export const DEFAULT_SOCKET_REQUEST_MAX_BYTES = 100 * 1024 * 1024;

/** Options of {@link KafkaBroker.start}: either `dir`, or an open `logManager` with its started `coordinator`. */
export interface KafkaBrokerOptions {
  /** Data directory: the broker opens (and on close, closes) its own log manager and group coordinator. */
  readonly dir?: string;
  /** An open log manager to serve (the caller closes it). Needs `coordinator`. */
  readonly logManager?: LogManager;
  /** The started group coordinator of `logManager` (the caller closes it). */
  readonly coordinator?: GroupCoordinator;
  /**
   * With `logManager`: its started transaction coordinator (the caller closes it). Default: the broker
   * starts (and on close, closes) its own over `logManager` and `coordinator`.
   */
  readonly transactions?: TransactionCoordinator;
  /** Kafka's `transaction.max.timeout.ms` for a transaction coordinator the broker starts. Default 900000. */
  readonly maxTransactionTimeoutMs?: number;
  /** How often a transaction coordinator the broker starts aborts timed-out transactions. Default 1000. */
  readonly transactionAbortIntervalMs?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (see {@link KafkaBroker.address}). Default 9092. */
  readonly port?: number;
  /** Host clients are told to connect to. Default: the bound host. */
  readonly advertisedHost?: string;
  /** Port clients are told to connect to. Default: the bound port. */
  readonly advertisedPort?: number;
  /** Largest request accepted (Kafka's `socket.request.max.bytes`). Default 100 MiB. */
  readonly socketRequestMaxBytes?: number;
  /** Default: warnings and errors to the console. */
  readonly logger?: BrokerLogger;
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /** With `dir`: when appends are fsynced. Default `{ mode: 'os' }`; `{ mode: 'always' }` acks after fsync. */
  readonly flushPolicy?: FlushPolicy;
  /** With `dir`: Kafka's `group.initial.rebalance.delay.ms`. Default 0. */
  readonly initialRebalanceDelayMs?: number;
  /** Kafka's `auto.create.topics.enable`. Default true. */
  readonly autoCreateTopics?: boolean;
  /** Kafka's `num.partitions` for auto-created topics and CreateTopics with -1. Default 1. */
  readonly defaultNumPartitions?: number;
  /** Cluster id reported in Metadata. Default: derived from the data directory, stable across restarts. */
  readonly clusterId?: string;
}

/** Where a started broker listens. */
export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

const consoleLogger: BrokerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, extra) => console.warn(message, extra ?? ''),
  error: (message, extra) => console.error(message, extra ?? ''),
};

/**
 * A running broker. Start it with {@link KafkaBroker.start}; {@link KafkaBroker.close} stops it.
 *
 * @example
 * const broker = await KafkaBroker.start({ dir: './data', port: 0 });
 * const kafka = new Kafka({ brokers: [`${broker.address.host}:${broker.address.port}`] });
 * // ... produce, consume ...
 * await broker.close();
 */
export class KafkaBroker {
  private readonly server: net.Server;
  private readonly connections = new Set<BrokerConnection>();
  private readonly context: BrokerContext;
  private readonly owned: boolean;
  private readonly ownsTransactions: boolean;
  private closing: Promise<void> | null = null;
  /** Where the broker listens. */
  readonly address: BrokerAddress;

  private constructor(server: net.Server, context: BrokerContext, owned: boolean, ownsTransactions: boolean, address: BrokerAddress) {
    this.server = server;
    this.context = context;
    this.owned = owned;
    this.ownsTransactions = ownsTransactions;
    this.address = address;
  }

  /**
   * Opens the log (with `dir`) and listens.
   * @throws InvalidArgumentError for inconsistent options; StorageError when the directory is locked;
   *   the listen error (e.g. EADDRINUSE)
   */
  static async start(options: KafkaBrokerOptions): Promise<KafkaBroker> {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? consoleLogger;
    const socketRequestMaxBytes = options.socketRequestMaxBytes ?? DEFAULT_SOCKET_REQUEST_MAX_BYTES;
    const defaultNumPartitions = options.defaultNumPartitions ?? 1;
    if (!Number.isInteger(socketRequestMaxBytes) || socketRequestMaxBytes < 8) {
      throw new InvalidArgumentError(`socketRequestMaxBytes must be an integer >= 8, got ${socketRequestMaxBytes}`);
    }
    if (!Number.isInteger(defaultNumPartitions) || defaultNumPartitions < 1) {
      throw new InvalidArgumentError(`defaultNumPartitions must be a positive integer, got ${defaultNumPartitions}`);
    }
    const { logManager, coordinator, owned } = await openLog(options, clock, logger);
    let transactions: TransactionCoordinator;
    try {
      transactions = await openTransactions(options, logManager, coordinator, clock, logger);
    } catch (error) {
      if (owned) {
        await coordinator.close().catch(() => undefined);
        await logManager.close().catch(() => undefined);
      }
      throw error;
    }
    const ownsTransactions = options.transactions === undefined;
    const host = options.host ?? '127.0.0.1';
    const server = net.createServer({ noDelay: true, pauseOnConnect: true });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 9092, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if (ownsTransactions) await transactions.close().catch(() => undefined);
      if (owned) {
        await coordinator.close().catch(() => undefined);
        await logManager.close().catch(() => undefined);
      }
      throw error;
    }
    const bound = server.address() as net.AddressInfo;
    const context: BrokerContext = {
      logManager,
      coordinator,
      transactions,
      clock,
      logger,
      notifier: new AppendNotifier(clock),
      nodeId: BROKER_NODE_ID,
      advertisedHost: options.advertisedHost ?? host,
      advertisedPort: options.advertisedPort ?? bound.port,
      clusterId: options.clusterId ?? clusterIdFor(logManager.dir),
      autoCreateTopics: options.autoCreateTopics ?? true,
      defaultNumPartitions,
      socketRequestMaxBytes,
      memberHosts: new Map(),
      readBuffers: new ReadBufferPool(),
    };
    const broker = new KafkaBroker(server, context, owned, ownsTransactions, { host: bound.address, port: bound.port });
    broker.listen();
    logger.info(`Broker listening on ${bound.address}:${bound.port} (advertised ${context.advertisedHost}:${context.advertisedPort})`);
    return broker;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Stops listening, closes every client connection, then (when the broker opened them) closes the
   * transaction coordinator (open transactions stay open, to be aborted at their timeout after a restart),
   * the group coordinator and the log: everything written is flushed and every segment closed cleanly.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private listen(): void {
    const dispatcher = new RequestDispatcher(this.context, BROKER_HANDLERS);
    this.server.on('connection', (socket) => {
      if (this.closing !== null) {
        socket.destroy();
        return;
      }
      const connection = new BrokerConnection({
        socket,
        dispatcher,
        logger: this.context.logger,
        maxRequestBytes: this.context.socketRequestMaxBytes,
        onClose: (c) => {
          this.connections.delete(c);
          this.context.logger.debug(`Connection ${c.address} closed`);
        },
      });
      this.connections.add(connection);
      this.context.logger.debug(`Connection ${connection.address} accepted`);
    });
    this.server.on('error', (error) => this.context.logger.error(`Broker server error: ${error.message}`, { error }));
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    await stopped;
    if (this.ownsTransactions) await this.context.transactions.close();
    if (this.owned) {
      const results = await Promise.allSettled([this.context.coordinator.close()]);
      await this.context.logManager.close();
      const failed = results.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
    this.context.logger.info('Broker stopped');
  }
}

async function openLog(
  options: KafkaBrokerOptions,
  clock: Clock,
  logger: BrokerLogger,
): Promise<{ logManager: LogManager; coordinator: GroupCoordinator; owned: boolean }> {
  if (options.logManager !== undefined || options.coordinator !== undefined) {
    if (options.logManager === undefined || options.coordinator === undefined || options.dir !== undefined) {
      throw new InvalidArgumentError('KafkaBroker.start() takes either { dir } or { logManager, coordinator }');
    }
    return { logManager: options.logManager, coordinator: options.coordinator, owned: false };
  }
  if (options.transactions !== undefined) {
    throw new InvalidArgumentError('KafkaBroker.start(): { transactions } goes with { logManager, coordinator }, not { dir }');
  }
  if (typeof options.dir !== 'string' || options.dir.length === 0) {
    throw new InvalidArgumentError('KafkaBroker.start() needs { dir } or { logManager, coordinator }');
  }
  const logManager = await LogManager.open({
    dir: options.dir,
    clock,
    ...(options.flushPolicy === undefined ? {} : { flushPolicy: options.flushPolicy }),
    logger: {
      info: (message, ...details) => logger.info(message, details.length > 0 ? { details } : undefined),
      warn: (message, ...details) => logger.warn(message, details.length > 0 ? { details } : undefined),
    },
  });
  const coordinator = new GroupCoordinator({
    logManager,
    clock,
    initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
  });
  try {
    await coordinator.start();
  } catch (error) {
    await logManager.close().catch(() => undefined);
    throw error;
  }
  return { logManager, coordinator, owned: true };
}

/** The given transaction coordinator, or a started one of the broker's own over `logManager` and `groups`. */
async function openTransactions(
  options: KafkaBrokerOptions,
  logManager: LogManager,
  groups: GroupCoordinator,
  clock: Clock,
  logger: BrokerLogger,
): Promise<TransactionCoordinator> {
  if (options.transactions !== undefined) return options.transactions;
  const transactions = new TransactionCoordinator({
    logManager,
    groups,
    clock,
    ...(options.maxTransactionTimeoutMs === undefined ? {} : { maxTransactionTimeoutMs: options.maxTransactionTimeoutMs }),
    ...(options.transactionAbortIntervalMs === undefined ? {} : { abortTimedOutIntervalMs: options.transactionAbortIntervalMs }),
    logger: {
      info: (message, ...details) => logger.info(message, details.length > 0 ? { details } : undefined),
      warn: (message, ...details) => logger.warn(message, details.length > 0 ? { details } : undefined),
    },
  });
  await transactions.start();
  return transactions;
}

/** A Kafka-style cluster id (22 characters of URL-safe base64) derived from the data directory. */
function clusterIdFor(dir: string): string {
  return createHash('sha256').update(path.resolve(dir)).digest('base64url').slice(0, 22);
}
