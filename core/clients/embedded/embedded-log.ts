/**
 * The embedded log: Tributary's log engine inside the application process, behind the kafkajs-shaped
 * {@link LogClient}. It opens a {@link LogManager} on a data directory and a {@link GroupCoordinator} on
 * it, hands out producers, consumers and admin clients that call straight into them (no network), and
 * offers a lower-level multi-partition {@link EmbeddedLog.fetch} for the streams runtime.
 */
import { LogManager } from '../../log/log-manager.ts';
import { GroupCoordinator } from '../../log/group-coordinator.ts';
import { TransactionCoordinator } from '../../log/transaction-coordinator.ts';
import type { FlushPolicy, IsolationLevel } from '../../log/log-contracts.ts';
import { RECORD_BATCH_OVERHEAD, decodeRecordsInto, type DecodedRecord } from '../../log/record-batch.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import type { ClientLogger, ConsumerOptions, LogClient, ProducerOptions } from '../log-client.ts';
import { TributaryError } from '../../errors/tributary-error.ts';
import { ClosedError, InvalidArgumentError } from '../../errors/log-errors.ts';
import { AppendNotifier, type WaitTarget } from './append-notifier.ts';
import { AbortedTransactionFilter } from './aborted-transaction-filter.ts';
import type { EmbeddedContext } from './embedded-context.ts';
import { KeepAlive } from './keep-alive.ts';
import { EmbeddedProducer } from './embedded-producer.ts';
import { EmbeddedConsumer } from './embedded-consumer.ts';
import { EmbeddedAdmin } from './embedded-admin.ts';

/** Options of {@link EmbeddedLog.open}. */
export interface EmbeddedLogOptions {
  /** The data directory (created if missing; locked while open). */
  readonly dir: string;
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /** When appends are fsynced. Default `{ mode: 'os' }` (Kafka's default). */
  readonly flushPolicy?: FlushPolicy;
  /** Default: warn and error to the console, debug and info dropped. */
  readonly logger?: ClientLogger;
  /** Partitions of `__consumer_offsets` when it is created. Default 1. */
  readonly offsetsTopicPartitions?: number;
  /** Broker-level topic config defaults, Kafka names and string values. */
  readonly defaultTopicConfig?: Readonly<Record<string, string>>;
  /** Partition count of topics created automatically (producer send, consumer subscribe). Default 1. */
  readonly autoCreateNumPartitions?: number;
  /** Kafka's `group.initial.rebalance.delay.ms`. Default 0. */
  readonly initialRebalanceDelayMs?: number;
  /** How often retention runs. Default 300000. */
  readonly retentionCheckIntervalMs?: number;
  /** How often the cleaner runs on compacted topics. Default 15000. */
  readonly cleanerIntervalMs?: number;
}

/** One partition to read in {@link EmbeddedLog.fetch}. */
export interface FetchRequest {
  readonly topic: string;
  readonly partition: number;
  /** The first offset wanted. */
  readonly offset: number;
  /** About this many bytes (at least one whole batch is returned). */
  readonly maxBytes: number;
}

/** Options of {@link EmbeddedLog.fetch}. */
export interface FetchOptions {
  /** How long to wait for data when none of the partitions has any. */
  readonly maxWaitMs: number;
  /** Wait (up to `maxWaitMs`) until this many bytes are available. Default 1. */
  readonly minBytes?: number;
  /**
   * Default `'read_uncommitted'` (everything up to the high watermark). `'read_committed'` returns nothing
   * at or past the last stable offset and leaves out the records of aborted transactions (the next
   * offset still moves past them).
   */
  readonly isolationLevel?: IsolationLevel;
}

/** What {@link EmbeddedLog.fetch} returns for one requested partition. */
export interface FetchedPartition {
  readonly topic: string;
  readonly partition: number;
  /** -1 when the partition could not be read (see `error`). */
  readonly highWatermark: number;
  /**
   * The last stable offset (= high watermark while no transaction is open); -1 when unreadable. Optional
   * for other readers of this shape (absent: take the high watermark).
   */
  readonly lastStableOffset?: number;
  readonly logStartOffset: number;
  /** Records with offset >= the requested offset (transaction control records left out). */
  readonly records: DecodedRecord[];
  /** Where to fetch next: after the last batch returned, or the requested offset when nothing was. */
  readonly nextOffset: number;
  /** OffsetOutOfRangeError, UnknownTopicOrPartitionError, ... for this partition only. */
  readonly error?: TributaryError;
}

const CONTROL_BIT = 0x20;
const TWO_32 = 0x1_0000_0000;
const READ_COMMITTED = { isolation: 'read_committed' } as const;
const READ_UNCOMMITTED = { isolation: 'read_uncommitted' } as const;

const defaultLogger: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, extra) => console.warn(message, extra ?? ''),
  error: (message, extra) => console.error(message, extra ?? ''),
};

/**
 * The embedded log client.
 *
 * @example
 * const log = await EmbeddedLog.open({ dir: './data' });
 * const producer = log.producer();
 * await producer.connect();
 * await producer.send({ topic: 'events', messages: [{ key: 'k', value: 'v' }] });
 * const [p0] = await log.fetch([{ topic: 'events', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 100 });
 * await log.close();
 */
export class EmbeddedLog implements LogClient {
  private closed = false;
  private readonly producers = new Set<EmbeddedProducer>();
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly admins = new Set<EmbeddedAdmin>();
  private readonly notifier: AppendNotifier;

  private constructor(
    private readonly ctx: EmbeddedContext,
  ) {
    this.notifier = new AppendNotifier(ctx.clock);
  }

  /**
   * Opens (recovering) the log in `dir` and starts the group coordinator.
   * @throws StorageError when the directory is locked by another process or unusable; InvalidConfigError
   */
  static async open(options: EmbeddedLogOptions): Promise<EmbeddedLog> {
    if (options === null || typeof options !== 'object' || typeof options.dir !== 'string' || options.dir.length === 0) {
      throw new InvalidArgumentError('EmbeddedLog.open() needs { dir }');
    }
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? defaultLogger;
    const autoCreateNumPartitions = options.autoCreateNumPartitions ?? 1;
    if (!Number.isInteger(autoCreateNumPartitions) || autoCreateNumPartitions < 1) {
      throw new InvalidArgumentError(`autoCreateNumPartitions must be a positive integer, got ${autoCreateNumPartitions}`);
    }
    const logManager = await LogManager.open({
      dir: options.dir,
      clock,
      ...(options.flushPolicy === undefined ? {} : { flushPolicy: options.flushPolicy }),
      ...(options.defaultTopicConfig === undefined ? {} : { defaultTopicConfig: options.defaultTopicConfig }),
      ...(options.retentionCheckIntervalMs === undefined ? {} : { retentionCheckIntervalMs: options.retentionCheckIntervalMs }),
      ...(options.cleanerIntervalMs === undefined ? {} : { cleanerIntervalMs: options.cleanerIntervalMs }),
      logger: {
        info: (message, ...details) => logger.info(message, details.length > 0 ? { details } : undefined),
        warn: (message, ...details) => logger.warn(message, details.length > 0 ? { details } : undefined),
      },
    });
    const coordinator = new GroupCoordinator({
      logManager,
      clock,
      ...(options.offsetsTopicPartitions === undefined ? {} : { offsetsTopicPartitions: options.offsetsTopicPartitions }),
      ...(options.initialRebalanceDelayMs === undefined ? {} : { initialRebalanceDelayMs: options.initialRebalanceDelayMs }),
    });
    const transactions = new TransactionCoordinator({
      logManager,
      groups: coordinator,
      clock,
      logger: { info: (message) => logger.info(message), warn: (message, ...details) => logger.warn(message, details.length > 0 ? { details } : undefined) },
    });
    try {
      await coordinator.start();
      await transactions.start();
    } catch (error) {
      await transactions.close().catch(() => undefined);
      await coordinator.close().catch(() => undefined);
      await logManager.close().catch(() => undefined);
      throw error;
    }
    return new EmbeddedLog({ logManager, coordinator, transactions, clock, logger, autoCreateNumPartitions, keepAlive: new KeepAlive() });
  }

  /** The log manager underneath (topics and partition logs). */
  get logManager(): LogManager {
    return this.ctx.logManager;
  }

  /** The group coordinator underneath. */
  get coordinator(): GroupCoordinator {
    return this.ctx.coordinator;
  }

  /** The transaction coordinator underneath. */
  get transactions(): TransactionCoordinator {
    return this.ctx.transactions;
  }

  /** A new producer (call `connect()` before sending). @throws ClosedError after close */
  producer(options: ProducerOptions = {}): EmbeddedProducer {
    this.assertOpen();
    const producer = new EmbeddedProducer(this.ctx, options, (p) => this.producers.delete(p));
    this.producers.add(producer);
    return producer;
  }

  /** A new consumer in group `options.groupId`. @throws ClosedError after close, InvalidArgumentError */
  consumer(options: ConsumerOptions): EmbeddedConsumer {
    this.assertOpen();
    const consumer = new EmbeddedConsumer(this.ctx, this.notifier, options, (c) => this.consumers.delete(c));
    this.consumers.add(consumer);
    return consumer;
  }

  /** A new admin client. @throws ClosedError after close */
  admin(): EmbeddedAdmin {
    this.assertOpen();
    const admin = new EmbeddedAdmin(this.ctx, (a) => this.admins.delete(a));
    this.admins.add(admin);
    return admin;
  }

  /**
   * Reads several partitions at once for the streams runtime: whole batches decoded into records with
   * offset >= each requested offset. When no partition has data, waits — woken by the next append, not
   * by polling — until one has (or `minBytes` are available), or `maxWaitMs` passed. A partition that
   * cannot be read reports its error without failing the others.
   *
   * @throws ClosedError after close; InvalidArgumentError for a malformed request
   */
  async fetch(requests: readonly FetchRequest[], options: FetchOptions): Promise<FetchedPartition[]> {
    this.assertOpen();
    if (!Array.isArray(requests)) throw new InvalidArgumentError('fetch() needs an array of { topic, partition, offset, maxBytes }');
    for (const r of requests) {
      if (!Number.isSafeInteger(r.offset) || r.offset < 0 || !(r.maxBytes > 0)) {
        throw new InvalidArgumentError(`Invalid fetch of ${r.topic}-${r.partition}: offset ${r.offset}, maxBytes ${r.maxBytes}`);
      }
    }
    const minBytes = options.minBytes ?? 1;
    const readCommitted = options.isolationLevel === 'read_committed';
    const deadline = this.ctx.clock.now() + Math.max(0, options.maxWaitMs);
    for (;;) {
      let bytes = 0;
      let failed = false;
      const results = requests.map((r) => {
        const result = this.fetchOne(r, readCommitted);
        bytes += result.bytes;
        if (result.partition.error !== undefined) failed = true;
        return result.partition;
      });
      const now = this.ctx.clock.now();
      if (bytes >= minBytes || failed || now >= deadline || this.closed) return results;
      const targets: WaitTarget[] = [];
      for (const r of requests) {
        const log = this.ctx.logManager.partition(r.topic, r.partition);
        // read_committed at the last stable offset: wait for the next append (the transaction's marker).
        const held = readCommitted && r.offset >= log.lastStableOffset;
        targets.push({ log, offset: bytes > 0 || held ? Math.max(r.offset, log.highWatermark) : r.offset });
      }
      const release = this.ctx.keepAlive.acquire(); // a caller awaiting fetch keeps the process up
      try {
        await this.notifier.waitForAny(targets, deadline - now);
      } finally {
        release();
      }
    }
  }

  /**
   * Disconnects every consumer (they commit and leave), producer (they flush) and admin client handed
   * out, then closes the group coordinator and the log. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const failures: unknown[] = [];
    const settle = async (work: Promise<unknown>[]): Promise<void> => {
      for (const r of await Promise.allSettled(work)) if (r.status === 'rejected') failures.push(r.reason);
    };
    await settle([...this.consumers].map((c) => c.disconnect()));
    await settle([...this.producers].map((p) => p.disconnect()));
    await settle([...this.admins].map((a) => a.disconnect()));
    await settle([this.ctx.transactions.close()]);
    await settle([this.ctx.coordinator.close()]);
    await settle([this.ctx.logManager.close()]);
    if (failures.length > 0) throw failures[0];
  }

  private fetchOne(r: FetchRequest, readCommitted: boolean): { partition: FetchedPartition; bytes: number } {
    let highWatermark = -1;
    let lastStableOffset = -1;
    let logStartOffset = -1;
    try {
      const log = this.ctx.logManager.partition(r.topic, r.partition);
      highWatermark = log.highWatermark;
      lastStableOffset = log.lastStableOffset;
      logStartOffset = log.logStartOffset;
      const read = log.read(r.offset, r.maxBytes, readCommitted ? READ_COMMITTED : READ_UNCOMMITTED);
      const aborted = readCommitted ? new AbortedTransactionFilter(log.abortedTransactions(r.offset, read.lastStableOffset)) : null;
      const records: DecodedRecord[] = [];
      const buf = read.records;
      let nextOffset = r.offset;
      let position = 0;
      while (position + RECORD_BATCH_OVERHEAD <= buf.length) {
        const size = 12 + buf.readInt32BE(position + 8);
        if (position + size > buf.length) break;
        const lastOffset = buf.readInt32BE(position) * TWO_32 + buf.readUInt32BE(position + 4) + buf.readInt32BE(position + 23);
        if (lastOffset >= r.offset) {
          const attributes = buf.readInt16BE(position + 21);
          if (aborted !== null ? !aborted.skips(buf, position, lastOffset, attributes) : (attributes & CONTROL_BIT) === 0) {
            const from = records.length;
            decodeRecordsInto(buf, position, records, `fetch ${r.topic}-${r.partition} at byte ${position}`);
            let keep = from;
            for (let i = from; i < records.length; i++) if (records[i]!.offset >= r.offset) records[keep++] = records[i]!;
            records.length = keep;
          }
          nextOffset = Math.max(nextOffset, lastOffset + 1);
        }
        position += size;
      }
      return {
        partition: {
          topic: r.topic,
          partition: r.partition,
          highWatermark: read.highWatermark,
          lastStableOffset: read.lastStableOffset,
          logStartOffset: read.logStartOffset,
          records,
          nextOffset,
        },
        bytes: buf.length,
      };
    } catch (error) {
      if (!(error instanceof TributaryError)) throw error;
      return {
        partition: { topic: r.topic, partition: r.partition, highWatermark, lastStableOffset, logStartOffset, records: [], nextOffset: r.offset, error },
        bytes: 0,
      };
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError(`Embedded log ${this.ctx.logManager.dir}`);
  }
}
