/**
 * Topic configs as Kafka clients send them (CreateTopics, AlterConfigs): names Tributary's log
 * implements are kept; names of Kafka topic configs it has no use for on one broker (replication,
 * throttling, tiered storage, fsync knobs the flush policy replaces, ...) are accepted and ignored, so
 * Kafka Streams-style internal topic settings do not fail; any other name is left in, for the log to
 * reject with INVALID_CONFIG. Also the describe-side view: config source and type codes.
 */
import { isTopicConfigKey, type TopicConfigKey } from '../../log/topic-config.ts';

/** Kafka topic configs accepted and ignored by the broker. */
export const IGNORED_TOPIC_CONFIGS: ReadonlySet<string> = new Set([
  'compression.type',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'index.interval.bytes',
  'leader.replication.throttled.replicas',
  'local.retention.bytes',
  'local.retention.ms',
  'max.compaction.lag.ms',
  'message.downconversion.enable',
  'message.format.version',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.difference.max.ms',
  'min.cleanable.dirty.ratio',
  'min.insync.replicas',
  'preallocate',
  'remote.storage.enable',
  'segment.index.bytes',
  'segment.jitter.ms',
  'unclean.leader.election.enable',
]);

/** Kafka's DescribeConfigs config sources. */
export const CONFIG_SOURCE = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

/** Kafka's DescribeConfigs config types. */
export const CONFIG_TYPE = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, LIST: 7 } as const;

const TYPE_OF: Record<TopicConfigKey, number> = {
  'cleanup.policy': CONFIG_TYPE.LIST,
  'retention.ms': CONFIG_TYPE.LONG,
  'retention.bytes': CONFIG_TYPE.LONG,
  'segment.bytes': CONFIG_TYPE.INT,
  'segment.ms': CONFIG_TYPE.LONG,
  'delete.retention.ms': CONFIG_TYPE.LONG,
  'min.compaction.lag.ms': CONFIG_TYPE.LONG,
  'max.message.bytes': CONFIG_TYPE.INT,
  'message.timestamp.type': CONFIG_TYPE.STRING,
};

/** The config type code of a topic config name. */
export function topicConfigType(name: TopicConfigKey): number {
  return TYPE_OF[name];
}

/** Configs as sent, split into what the log gets and what is ignored. */
export interface SplitConfigs {
  /** For the log (null values remove an override). */
  readonly applied: Record<string, string | null>;
  /** Kafka config names accepted and ignored. */
  readonly ignored: string[];
}

/** Splits `configs` (name, value) into the log's and the ignored ones. */
export function splitTopicConfigs(configs: readonly { name: string; value: string | null }[]): SplitConfigs {
  const applied: Record<string, string | null> = {};
  const ignored: string[] = [];
  for (const { name, value } of configs) {
    if (!isTopicConfigKey(name) && IGNORED_TOPIC_CONFIGS.has(name)) ignored.push(name);
    else applied[name] = value;
  }
  return { applied, ignored };
}

/** The non-null values of `applied`, for topic creation. */
export function nonNullConfigs(applied: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(applied)) if (v !== null) out[k] = v;
  return out;
}
