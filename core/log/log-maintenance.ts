/**
 * The log manager's background work: a retention pass over topics whose `cleanup.policy` includes
 * `delete` every `retentionCheckIntervalMs`, and a cleaner pass over compacted topics every
 * `cleanerIntervalMs`. Passes are scheduled with the injected Clock (the next one after the previous one
 * finished), never run twice on one partition at once, and log failures and carry on.
 */
import type { Clock, TimerHandle } from '../time/clock.ts';
import { LogCleaner } from './log-cleaner.ts';
import type { TopicConfig } from './log-contracts.ts';
import type { PartitionLog } from './partition-log.ts';
import { RetentionManager } from './retention-manager.ts';
import { policyCompacts, policyDeletes } from './topic-config.ts';

/** Where maintenance reports what it did and what failed. */
export interface MaintenanceLogger {
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
}

/** A topic as maintenance sees it. */
export interface MaintainedTopic {
  readonly config: TopicConfig;
  readonly logs: readonly PartitionLog[];
}

/** Options for {@link LogMaintenance}. */
export interface LogMaintenanceOptions {
  readonly clock: Clock;
  readonly logger: MaintenanceLogger;
  readonly retentionCheckIntervalMs: number;
  readonly cleanerIntervalMs: number;
  /** The current topics; asked again before each partition, so deleted topics are skipped. */
  readonly topics: () => Iterable<MaintainedTopic>;
  /** Whether `log` still belongs to a live topic. */
  readonly isLive: (log: PartitionLog) => boolean;
}

/**
 * Schedules and runs retention and compaction.
 *
 * @example
 * const maintenance = new LogMaintenance({ clock, logger: console, retentionCheckIntervalMs: 300_000,
 *   cleanerIntervalMs: 15_000, topics: () => topics.values(), isLive: () => true });
 * maintenance.start();
 * await maintenance.runNow();
 * await maintenance.stop();
 */
export class LogMaintenance {
  private readonly options: LogMaintenanceOptions;
  private readonly retention: RetentionManager;
  private readonly cleaner: LogCleaner;
  private readonly work = new Map<PartitionLog, Promise<void>>();
  private retentionTimer: TimerHandle | null = null;
  private cleanerTimer: TimerHandle | null = null;
  private stopped = false;

  constructor(options: LogMaintenanceOptions) {
    this.options = options;
    this.retention = new RetentionManager(options.clock);
    this.cleaner = new LogCleaner(options.clock);
  }

  /** Starts both background loops. */
  start(): void {
    this.scheduleRetention();
    this.scheduleCleaner();
  }

  /**
   * Runs one retention pass and one cleaner pass now (after runs in progress on the same partitions).
   * @throws the first failure, after every partition was tried
   */
  async runNow(): Promise<void> {
    const errors = [...(await this.retentionPass()), ...(await this.cleanerPass())];
    if (errors.length > 0) throw errors[0];
  }

  /** Resolves when no maintenance runs on `log` any more. */
  async idle(log: PartitionLog): Promise<void> {
    await this.work.get(log)?.catch(() => undefined);
  }

  /** Cancels the loops and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retentionTimer !== null) this.options.clock.clearTimeout(this.retentionTimer);
    if (this.cleanerTimer !== null) this.options.clock.clearTimeout(this.cleanerTimer);
    this.retentionTimer = null;
    this.cleanerTimer = null;
    await Promise.allSettled([...this.work.values()]);
  }

  private retentionPass(): Promise<unknown[]> {
    return this.pass('retention', (c) => policyDeletes(c.cleanupPolicy), (log) => this.retention.run(log));
  }

  private cleanerPass(): Promise<unknown[]> {
    return this.pass('compaction', (c) => policyCompacts(c.cleanupPolicy), (log) => this.cleaner.clean(log));
  }

  private async pass(
    what: string,
    applies: (config: TopicConfig) => boolean,
    task: (log: PartitionLog) => Promise<number>,
  ): Promise<unknown[]> {
    const errors: unknown[] = [];
    const { logger, isLive } = this.options;
    for (const topic of [...this.options.topics()]) {
      if (!applies(topic.config)) continue;
      for (const log of topic.logs) {
        const previous = this.work.get(log) ?? Promise.resolve();
        const run = previous.then(async () => {
          if (this.stopped || !isLive(log)) return;
          try {
            const n = await task(log);
            if (n > 0) logger.info(`${what} of ${log.topic}-${log.partition}: ${n}`);
          } catch (e) {
            errors.push(e);
            logger.warn(`${what} of ${log.topic}-${log.partition} failed: ${(e as Error).message}`, e);
          }
        });
        this.work.set(log, run);
        await run;
        if (this.work.get(log) === run) this.work.delete(log);
      }
    }
    return errors;
  }

  private scheduleRetention(): void {
    if (this.stopped) return;
    this.retentionTimer = this.options.clock.setTimeout(() => {
      this.retentionTimer = null;
      void this.retentionPass().finally(() => this.scheduleRetention());
    }, this.options.retentionCheckIntervalMs);
  }

  private scheduleCleaner(): void {
    if (this.stopped) return;
    this.cleanerTimer = this.options.clock.setTimeout(() => {
      this.cleanerTimer = null;
      void this.cleanerPass().finally(() => this.scheduleCleaner());
    }, this.options.cleanerIntervalMs);
  }
}
