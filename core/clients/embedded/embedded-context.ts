/**
 * What the embedded producer, consumer and admin share: the log manager, the group coordinator, the
 * clock and the logger of one {@link EmbeddedLog}, plus topic lookup with optional auto-creation.
 */
import type { LogManager } from '../../log/log-manager.ts';
import type { GroupCoordinator } from '../../log/group-coordinator.ts';
import type { TransactionCoordinator } from '../../log/transaction-coordinator.ts';
import type { Clock } from '../../time/clock.ts';
import type { ClientLogger } from '../log-client.ts';
import type { KeepAlive } from './keep-alive.ts';
import { TopicAlreadyExistsError, UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';

/** The shared parts of one embedded log, handed to every client it creates. */
export interface EmbeddedContext {
  readonly logManager: LogManager;
  readonly coordinator: GroupCoordinator;
  /** Transactional ids, producer epochs and the two-phase commit of transactions. */
  readonly transactions: TransactionCoordinator;
  readonly clock: Clock;
  readonly logger: ClientLogger;
  /** Partition count of auto-created topics. */
  readonly autoCreateNumPartitions: number;
  /** Held by every connected client, so the process stays up while clients are connected. */
  readonly keepAlive: KeepAlive;
}

/**
 * The partition count of `topic`, creating the topic (default config, `autoCreateNumPartitions`
 * partitions) when it does not exist and `autoCreate` is set.
 *
 * @throws UnknownTopicOrPartitionError when the topic does not exist and `autoCreate` is false.
 */
export async function topicPartitionCount(ctx: EmbeddedContext, topic: string, autoCreate: boolean): Promise<number> {
  const existing = ctx.logManager.describeTopic(topic);
  if (existing !== undefined) return existing.numPartitions;
  if (!autoCreate) throw new UnknownTopicOrPartitionError(topic);
  try {
    const created = await ctx.logManager.createTopic(topic, { numPartitions: ctx.autoCreateNumPartitions });
    ctx.logger.info(`Auto-created topic "${topic}" with ${created.numPartitions} partition(s)`);
    return created.numPartitions;
  } catch (error) {
    if (!(error instanceof TopicAlreadyExistsError)) throw error;
    const raced = ctx.logManager.describeTopic(topic);
    if (raced === undefined) throw new UnknownTopicOrPartitionError(topic, undefined, { cause: error });
    return raced.numPartitions;
  }
}
