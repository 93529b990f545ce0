/**
 * The kafkajs backend of the {@link LogClient} contract: producers, consumers and admin clients on a
 * real Kafka cluster or on `tributary broker`, through kafkajs (`new Kafka({ brokers, clientId, ssl, sasl })`).
 * Besides the contract it offers the lower-level {@link KafkajsLogClient.fetch} (partition reads by
 * offset, outside any group), which the streams runtime uses to restore state stores from changelogs.
 */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type RetryOptions as KjsRetryOptions, type SASLOptions } from 'kafkajs';
import type { ClientLogger, ConsumerOptions, GroupDescription, LogClient, ProducerOptions } from '../log-client.ts';
import type { FetchedPartition, FetchOptions, FetchRequest } from '../embedded/embedded-log.ts';
import { ClosedError, InvalidConfigError } from '../../errors/log-errors.ts';
import { KafkajsAdmin } from './kafkajs-admin.ts';
import { KafkajsConsumer } from './kafkajs-consumer.ts';
import { KafkajsProducer } from './kafkajs-producer.ts';
import { KafkajsPartitionReader } from './kafkajs-partition-reader.ts';
import { kafkajsLogCreator } from './kafkajs-logger.ts';
import { bridgeCompressionCodecs } from './kafkajs-compression.ts';
import { translated } from './kafka-client-error.ts';

/** kafkajs log levels by name. */
export type KafkajsLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

const LOG_LEVELS: Record<KafkajsLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Options of {@link KafkajsLogClient}: the connection options of kafkajs's `Kafka`. */
export interface KafkajsLogClientOptions {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: readonly string[];
  /** Default `tributary`. */
  readonly clientId?: string;
  /** TLS: `true` or Node's TLS options. */
  readonly ssl?: ConnectionOptions | boolean;
  /** SASL (plain, scram-sha-256/512, aws, oauthbearer), as kafkajs takes it. */
  readonly sasl?: SASLOptions;
  /** Milliseconds to establish a connection. kafkajs default 1000. */
  readonly connectionTimeout?: number;
  /** Milliseconds to wait for a response. kafkajs default 30000. */
  readonly requestTimeout?: number;
  /** kafkajs's retry of retriable errors. */
  readonly retry?: KjsRetryOptions;
  /** Where kafkajs logs go. Default: warnings and errors to the console. */
  readonly logger?: ClientLogger;
  /** kafkajs entries below this level are dropped. Default `'error'` (kafkajs reports every rebalance as a warning). */
  readonly logLevel?: KafkajsLogLevel;
}

/** The connection options of `log: { kafka }` in a streams config (the application's logger is used). */
export type KafkaConnectionOptions = Omit<KafkajsLogClientOptions, 'logger'>;

const consoleLogger: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, extra) => console.warn(message, extra ?? ''),
  error: (message, extra) => console.error(message, extra ?? ''),
};

/**
 * A LogClient on a Kafka cluster or `tributary broker`.
 *
 * @example
 * const log: LogClient = new KafkajsLogClient({ brokers: ['localhost:9092'], clientId: 'billing' });
 * const producer = log.producer();
 * await producer.connect();
 * await producer.send({ topic: 'events', messages: [{ key: 'k', value: 'v' }] });
 * await log.close();
 */
export class KafkajsLogClient implements LogClient {
  /** The kafkajs instance underneath. */
  readonly kafka: Kafka;
  private readonly logger: ClientLogger;
  private readonly producers = new Set<KafkajsProducer>();
  private readonly consumers = new Set<KafkajsConsumer>();
  private readonly admins = new Set<KafkajsAdmin>();
  private readonly reader: KafkajsPartitionReader;
  private groupAdmin: Promise<KafkajsAdmin> | null = null;
  private closed = false;

  /**
   * Creates the client; nothing connects until a producer, consumer or admin client does.
   * @throws InvalidConfigError without brokers
   */
  constructor(options: KafkajsLogClientOptions) {
    checkKafkaOptions(options);
    this.logger = options.logger ?? consoleLogger;
    const clientId = options.clientId ?? 'tributary';
    this.kafka = new Kafka({
      brokers: [...options.brokers],
      clientId,
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
      ...(options.connectionTimeout === undefined ? {} : { connectionTimeout: options.connectionTimeout }),
      ...(options.requestTimeout === undefined ? {} : { requestTimeout: options.requestTimeout }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      logLevel: LOG_LEVELS[options.logLevel ?? 'error'],
      logCreator: kafkajsLogCreator(this.logger),
    });
    bridgeCompressionCodecs();
    this.reader = new KafkajsPartitionReader(this.kafka, `${clientId}-partition-reader`);
  }

  /** A new producer (call `connect()` before sending). @throws ClosedError after close */
  producer(options: ProducerOptions = {}): KafkajsProducer {
    this.assertOpen();
    const producer = new KafkajsProducer(this.kafka, options, (p) => this.producers.delete(p));
    this.producers.add(producer);
    return producer;
  }

  /** A new consumer in group `options.groupId`. @throws ClosedError after close, InvalidArgumentError */
  consumer(options: ConsumerOptions): KafkajsConsumer {
    this.assertOpen();
    const consumer = new KafkajsConsumer(
      { kafka: this.kafka, logger: this.logger, describeGroup: (groupId) => this.describeGroup(groupId) },
      options,
      (c) => this.consumers.delete(c),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  /** A new admin client. @throws ClosedError after close */
  admin(): KafkajsAdmin {
    this.assertOpen();
    const admin = new KafkajsAdmin(this.kafka, (a) => this.admins.delete(a));
    this.admins.add(admin);
    return admin;
  }

  /**
   * Reads partitions by offset outside any consumer group (Tributary extension, the embedded log's
   * `fetch` shape): the streams runtime restores changelogs with it.
   * @throws ClosedError after close; InvalidArgumentError for a malformed request
   * @example
   * const [p] = await client.fetch([{ topic: 'app-counts-changelog', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
   */
  fetch(requests: readonly FetchRequest[], options: FetchOptions): Promise<FetchedPartition[]> {
    this.assertOpen();
    return this.reader.fetch(requests, options);
  }

  /** Disconnects every producer, consumer and admin client handed out, then the client's own connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    const settle = async (work: Promise<unknown>): Promise<void> => {
      await work.catch((e: unknown) => errors.push(e));
    };
    await Promise.all([...this.consumers].map((c) => settle(c.disconnect())));
    await Promise.all([...this.producers].map((p) => settle(p.disconnect())));
    await Promise.all([...this.admins].map((a) => settle(a.disconnect())));
    await this.reader.close();
    if (errors.length > 0) throw errors[0];
  }

  private async describeGroup(groupId: string): Promise<GroupDescription> {
    this.assertOpen();
    if (this.groupAdmin === null) {
      const admin = this.admin();
      const connecting = admin.connect().then(() => admin);
      connecting.catch(() => {
        if (this.groupAdmin === connecting) this.groupAdmin = null;
      });
      this.groupAdmin = connecting;
    }
    const admin = await this.groupAdmin;
    const { groups } = await translated(`describeGroup("${groupId}")`, () => admin.describeGroups([groupId]));
    return groups[0]!;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('Kafka log client');
  }
}

/**
 * Checks the `kafka` options of a client or of `log: { kafka }`.
 * @throws InvalidConfigError for missing or malformed brokers or clientId
 * @example
 * checkKafkaOptions({ brokers: ['localhost:9092'] });
 */
export function checkKafkaOptions(options: { readonly brokers?: unknown; readonly clientId?: unknown }): void {
  if (options === null || typeof options !== 'object') throw new InvalidConfigError('kafka options must be an object with brokers');
  const brokers = options.brokers;
  if (!Array.isArray(brokers) || brokers.length === 0 || brokers.some((b) => typeof b !== 'string' || !/^\S+:\d+$/.test(b))) {
    throw new InvalidConfigError(`kafka.brokers must be a non-empty array of "host:port", got ${JSON.stringify(brokers)}`);
  }
  if (options.clientId !== undefined && (typeof options.clientId !== 'string' || options.clientId.length === 0)) {
    throw new InvalidConfigError(`kafka.clientId must be a non-empty string, got ${JSON.stringify(options.clientId)}`);
  }
}
