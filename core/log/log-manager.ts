/**
 * The topics under one data directory, as Kafka's `LogManager`: creates, opens, grows, reconfigures and
 * deletes topics (each partition a {@link PartitionLog} in `<dir>/<topic>-<partition>/`), hands out
 * producer ids, and runs retention and compaction in the background.
 *
 * On disk:
 * - `<dir>/.lock` — created with O_EXCL and holding the owner's pid; a lock whose pid is dead is stale.
 * - `<dir>/__meta/topics.json` — every topic's name, stable id, partition count, config overrides and
 *   internal flag, replaced atomically (tmp + fsync + rename + fsync dir) on every change.
 * - `<dir>/__meta/producer-ids` — the end of the last reserved block of producer ids; a block of 1000 is
 *   persisted before its first id is handed out, so ids never repeat after a crash.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ClosedError,
  InvalidConfigError,
  InvalidPartitionsError,
  InvalidTopicError,
  StorageError,
  TopicAlreadyExistsError,
  UnknownTopicOrPartitionError,
} from '../errors/log-errors.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { LogMaintenance, type MaintenanceLogger } from './log-maintenance.ts';
import type {
  CreateTopicOptions,
  FlushPolicy,
  LogManagerApi,
  RecoveryReport,
  TopicConfig,
  TopicDescription,
} from './log-contracts.ts';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock.ts';
import { PartitionLog } from './partition-log.ts';
import {
  isTopicConfigKey,
  parseTopicConfig,
  topicConfigToEntries,
  type TopicConfigEntry,
} from './topic-config.ts';
import {
  META_DIR,
  readProducerIdBlockEnd,
  readTopicsFile,
  writeProducerIdBlockEnd,
  writeTopicsFile,
  type TopicMetadata,
} from './topic-metadata-file.ts';
import { topicNamesCollide, validateTopicName } from './topic-name.ts';

/** Where the log manager reports background work and problems. */
export type LogManagerLogger = MaintenanceLogger;

/** Options for {@link LogManager.open}. */
export interface LogManagerOptions {
  /** The data directory (created if missing). */
  readonly dir: string;
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /** Default `{ mode: 'os' }` (Kafka's default: never fsync explicitly). */
  readonly flushPolicy?: FlushPolicy;
  /** How often retention runs (default 300000, Kafka's `log.retention.check.interval.ms`). */
  readonly retentionCheckIntervalMs?: number;
  /** How often the cleaner runs on compacted topics (default 15000, Kafka's `log.cleaner.backoff.ms`). */
  readonly cleanerIntervalMs?: number;
  /** Broker-level defaults for every topic, Kafka names and string values. */
  readonly defaultTopicConfig?: Readonly<Record<string, string>>;
  /** Default `console`. */
  readonly logger?: LogManagerLogger;
}

/** Producer ids reserved per persisted block. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

interface TopicEntry {
  readonly name: string;
  readonly topicId: string;
  readonly internal: boolean;
  overrides: Record<string, string>;
  config: TopicConfig;
  logs: PartitionLog[];
}

/**
 * The set of topics in one data directory. Open it with {@link LogManager.open}; close it to release the
 * directory lock.
 *
 * @example
 * const logs = await LogManager.open({ dir: './data' });
 * await logs.createTopic('orders', { numPartitions: 3, configs: { 'retention.ms': '86400000' } });
 * const p0 = logs.partition('orders', 0);
 * await logs.close();
 */
export class LogManager implements LogManagerApi {
  readonly dir: string;
  private readonly clock: Clock;
  private readonly flushPolicy: FlushPolicy;
  private readonly logger: LogManagerLogger;
  private readonly baseConfig: TopicConfig;
  private readonly lock: DirectoryLock;
  private readonly topics = new Map<string, TopicEntry>();
  private readonly reports: RecoveryReport[] = [];
  private readonly maintenance: LogMaintenance;
  private adminQueue: Promise<unknown> = Promise.resolve();
  private nextProducerId: number;
  private producerIdBlockEnd: number;
  private closed = false;

  private constructor(options: LogManagerOptions, lock: DirectoryLock, baseConfig: TopicConfig, producerIdBlockEnd: number) {
    this.dir = options.dir;
    this.clock = options.clock ?? systemClock;
    this.flushPolicy = options.flushPolicy ?? { mode: 'os' };
    this.logger = options.logger ?? console;
    this.maintenance = new LogMaintenance({
      clock: this.clock,
      logger: this.logger,
      retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? 300_000,
      cleanerIntervalMs: options.cleanerIntervalMs ?? 15_000,
      topics: () => this.topics.values(),
      isLive: (log) => this.topics.get(log.topic)?.logs[log.partition] === log,
    });
    this.lock = lock;
    this.baseConfig = baseConfig;
    this.nextProducerId = producerIdBlockEnd;
    this.producerIdBlockEnd = producerIdBlockEnd;
  }

  /**
   * Locks the directory, reads the topic metadata and opens (recovering) every partition.
   * @throws StorageError when another process (or LogManager) holds the directory, or on I/O failure;
   *   InvalidConfigError for bad `defaultTopicConfig`
   */
  static async open(options: LogManagerOptions): Promise<LogManager> {
    const baseConfig = parseTopicConfig(options.defaultTopicConfig ?? {});
    try {
      fs.mkdirSync(path.join(options.dir, META_DIR), { recursive: true });
    } catch (cause) {
      throw new StorageError(`Cannot create data directory ${options.dir}: ${(cause as Error).message}`, { cause });
    }
    const lock = acquireDirectoryLock(options.dir);
    let manager: LogManager | undefined;
    try {
      manager = new LogManager(options, lock, baseConfig, readProducerIdBlockEnd(options.dir));
      await manager.load();
      manager.maintenance.start();
      return manager;
    } catch (e) {
      const opened = manager === undefined ? [] : [...manager.topics.values()].flatMap((t) => t.logs);
      await Promise.allSettled(opened.map((l) => l.close()));
      lock.release();
      throw e;
    }
  }

  private async load(): Promise<void> {
    const metas = readTopicsFile(this.dir);
    for (const meta of metas) {
      const config = parseTopicConfig(meta.configs, this.baseConfig);
      const entry: TopicEntry = {
        name: meta.name,
        topicId: meta.topicId,
        internal: meta.internal,
        overrides: { ...meta.configs },
        config,
        logs: [],
      };
      entry.logs = await this.openPartitions(entry, 0, meta.partitions);
      this.topics.set(meta.name, entry);
    }
    this.warnAboutStrayDirectories();
  }

  private async openPartitions(entry: TopicEntry, from: number, to: number): Promise<PartitionLog[]> {
    const opened = await Promise.allSettled(
      Array.from({ length: to - from }, (_, i) =>
        PartitionLog.open({
          dir: this.partitionDir(entry.name, from + i),
          topic: entry.name,
          partition: from + i,
          config: entry.config,
          clock: this.clock,
          flushPolicy: this.flushPolicy,
        }),
      ),
    );
    const failure = opened.find((r) => r.status === 'rejected');
    const logs = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failure !== undefined) {
      await Promise.allSettled(logs.map((l) => l.close()));
      throw failure.reason;
    }
    for (const log of logs) this.reports.push(log.recoveryReport);
    return logs;
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.dir, `${topic}-${partition}`);
  }

  private warnAboutStrayDirectories(): void {
    const expected = new Set<string>([META_DIR]);
    for (const t of this.topics.values()) for (let p = 0; p < t.logs.length; p++) expected.add(`${t.name}-${p}`);
    for (const entry of fs.readdirSync(this.dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !expected.has(entry.name) && /-\d+$/.test(entry.name)) {
        this.logger.warn(
          `Directory ${path.join(this.dir, entry.name)} belongs to no known topic; it is left alone and removed if a topic-partition of that name is created`,
        );
      }
    }
  }

  /** Recovery reports of every partition opened since {@link LogManager.open}. */
  get recoveryReports(): readonly RecoveryReport[] {
    return this.reports;
  }

  /**
   * Creates a topic with `numPartitions` empty partitions.
   * @throws InvalidTopicError (bad name, or colliding with an existing name on "." vs "_"),
   *   TopicAlreadyExistsError, InvalidPartitionsError, InvalidConfigError
   */
  createTopic(name: string, options: CreateTopicOptions): Promise<TopicDescription> {
    return this.admin(async () => {
      validateTopicName(name);
      if (this.topics.has(name)) throw new TopicAlreadyExistsError(name);
      for (const other of this.topics.keys()) {
        if (topicNamesCollide(name, other)) {
          throw new InvalidTopicError(
            name,
            `it collides with existing topic "${other}" (metric names treat "." and "_" alike)`,
          );
        }
      }
      checkPartitionCount(name, options.numPartitions);
      const overrides = { ...(options.configs ?? {}) };
      const config = parseTopicConfig(overrides, this.baseConfig);
      const entry: TopicEntry = { name, topicId: randomUUID(), internal: options.internal ?? false, overrides, config, logs: [] };
      for (let p = 0; p < options.numPartitions; p++) removeStrayDirectory(this.partitionDir(name, p), this.logger);
      entry.logs = await this.openPartitions(entry, 0, options.numPartitions);
      this.topics.set(name, entry);
      try {
        this.persistTopics();
      } catch (e) {
        this.topics.delete(name);
        await Promise.allSettled(entry.logs.map((l) => l.delete()));
        throw e;
      }
      return this.describe(entry);
    });
  }

  /**
   * Deletes a topic: forgets it in the metadata, then closes and deletes every partition directory.
   * @throws UnknownTopicOrPartitionError
   */
  deleteTopic(name: string): Promise<void> {
    return this.admin(async () => {
      const entry = this.topics.get(name);
      if (entry === undefined) throw new UnknownTopicOrPartitionError(name);
      this.topics.delete(name);
      try {
        this.persistTopics();
      } catch (e) {
        this.topics.set(name, entry);
        throw e;
      }
      for (const log of entry.logs) {
        await this.maintenance.idle(log);
        await log.delete();
      }
    });
  }

  /**
   * Grows a topic to `totalCount` partitions.
   * @throws UnknownTopicOrPartitionError; InvalidPartitionsError when `totalCount` is not larger
   */
  createPartitions(name: string, totalCount: number): Promise<void> {
    return this.admin(async () => {
      const entry = this.topics.get(name);
      if (entry === undefined) throw new UnknownTopicOrPartitionError(name);
      checkPartitionCount(name, totalCount);
      if (totalCount <= entry.logs.length) {
        throw new InvalidPartitionsError(
          `Topic "${name}" has ${entry.logs.length} partitions; the new count ${totalCount} must be larger`,
        );
      }
      const current = entry.logs.length;
      for (let p = current; p < totalCount; p++) removeStrayDirectory(this.partitionDir(name, p), this.logger);
      const added = await this.openPartitions(entry, current, totalCount);
      entry.logs = [...entry.logs, ...added];
      try {
        this.persistTopics();
      } catch (e) {
        entry.logs = entry.logs.slice(0, current);
        await Promise.allSettled(added.map((l) => l.delete()));
        throw e;
      }
    });
  }

  /**
   * Sets (string) or removes (null) config overrides of a topic, persists them and applies them to every
   * partition.
   * @throws UnknownTopicOrPartitionError, InvalidConfigError naming the key and value
   */
  alterTopicConfig(name: string, configs: Readonly<Record<string, string | null>>): Promise<void> {
    return this.admin(async () => {
      const entry = this.topics.get(name);
      if (entry === undefined) throw new UnknownTopicOrPartitionError(name);
      const overrides = { ...entry.overrides };
      for (const [key, value] of Object.entries(configs)) {
        if (!isTopicConfigKey(key)) {
          throw new InvalidConfigError(`Unknown topic configuration "${key}" (value "${String(value)}") for topic "${name}"`);
        }
        if (value === null) delete overrides[key];
        else overrides[key] = value;
      }
      const config = parseTopicConfig(overrides, this.baseConfig);
      const previous = { overrides: entry.overrides, config: entry.config };
      entry.overrides = overrides;
      entry.config = config;
      try {
        this.persistTopics();
      } catch (e) {
        entry.overrides = previous.overrides;
        entry.config = previous.config;
        throw e;
      }
      for (const log of entry.logs) log.updateConfig(config);
    });
  }

  /** A topic's description, or undefined. */
  describeTopic(name: string): TopicDescription | undefined {
    const entry = this.topics.get(name);
    return entry === undefined ? undefined : this.describe(entry);
  }

  /**
   * A topic's config as Kafka names and values, for describeConfigs; `isDefault` when the value equals
   * the broker-level default.
   * @throws UnknownTopicOrPartitionError
   */
  describeTopicConfig(name: string): TopicConfigEntry[] {
    const entry = this.topics.get(name);
    if (entry === undefined) throw new UnknownTopicOrPartitionError(name);
    return topicConfigToEntries(entry.config, this.baseConfig);
  }

  /** Every topic, sorted by name. */
  listTopics(): TopicDescription[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => this.describe(e));
  }

  private describe(entry: TopicEntry): TopicDescription {
    return {
      name: entry.name,
      topicId: entry.topicId,
      numPartitions: entry.logs.length,
      config: entry.config,
      internal: entry.internal,
    };
  }

  /**
   * One partition's log.
   * @throws UnknownTopicOrPartitionError; ClosedError after close
   */
  partition(topic: string, partition: number): PartitionLog {
    this.ensureOpen();
    const log = this.topics.get(topic)?.logs[partition];
    if (log === undefined) throw new UnknownTopicOrPartitionError(topic, partition);
    return log;
  }

  /**
   * A producer id never handed out before by this data directory, even across crashes.
   * @throws StorageError when the next block cannot be persisted
   */
  allocateProducerId(): number {
    this.ensureOpen();
    if (this.nextProducerId >= this.producerIdBlockEnd) {
      const end = this.nextProducerId + PRODUCER_ID_BLOCK_SIZE;
      writeProducerIdBlockEnd(this.dir, end);
      this.producerIdBlockEnd = end;
    }
    return this.nextProducerId++;
  }

  /**
   * Runs one retention pass (topics whose policy includes delete) and one cleaner pass (compacted topics)
   * now, waiting for runs already in progress on a partition first.
   * @throws the first failure, after every partition was tried
   */
  runMaintenance(): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError(`LogManager ${this.dir}`));
    return this.maintenance.runNow();
  }

  /**
   * Stops maintenance, waits for admin operations and maintenance runs in flight, closes every
   * partition and releases the directory lock.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.adminQueue.catch(() => undefined);
    await this.maintenance.stop();
    try {
      const results = await Promise.allSettled([...this.topics.values()].flatMap((t) => t.logs.map((l) => l.close())));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } finally {
      this.lock.release();
    }
  }

  private admin<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError(`LogManager ${this.dir}`));
    const run = this.adminQueue.catch(() => undefined).then(op);
    this.adminQueue = run;
    return run;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError(`LogManager ${this.dir}`);
  }

  private persistTopics(): void {
    const topics: TopicMetadata[] = [...this.topics.values()].map((e) => ({
      name: e.name,
      topicId: e.topicId,
      partitions: e.logs.length,
      configs: e.overrides,
      internal: e.internal,
    }));
    writeTopicsFile(this.dir, topics);
  }
}

function checkPartitionCount(topic: string, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 0x7fff_ffff) {
    throw new InvalidPartitionsError(`Partition count ${count} of topic "${topic}" must be a positive integer`);
  }
}

/** Removes a leftover directory (a crash between creating it and persisting the metadata). */
function removeStrayDirectory(dir: string, logger: LogManagerLogger): void {
  if (!fs.existsSync(dir)) return;
  logger.warn(`Removing leftover directory ${dir} before creating its topic-partition`);
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (cause) {
    throw new StorageError(`Cannot remove leftover directory ${dir}: ${(cause as Error).message}`, { cause });
  }
}
