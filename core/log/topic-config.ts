/**
 * Topic configuration: Kafka's config names and string values on one side, the typed
 * {@link TopicConfig} on the other. Parsing is strict, as Kafka's `ConfigDef` is: an unknown key or a
 * value of the wrong type or out of range throws {@link InvalidConfigError} naming the key and value.
 */
import { InvalidConfigError } from '../errors/log-errors.ts';
import type { CleanupPolicy, TimestampType, TopicConfig } from './log-contracts.ts';

/** Kafka's defaults for every topic config this log understands. */
export const DEFAULT_TOPIC_CONFIG: TopicConfig = Object.freeze({
  cleanupPolicy: 'delete',
  retentionMs: 604_800_000,
  retentionBytes: -1,
  segmentBytes: 1_073_741_824,
  segmentMs: 604_800_000,
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
  maxMessageBytes: 1_048_588,
  messageTimestampType: 'CreateTime',
});

/** The Kafka config names this log understands, in the order `describeConfigs` lists them. */
export const TOPIC_CONFIG_KEYS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'segment.bytes',
  'segment.ms',
  'delete.retention.ms',
  'min.compaction.lag.ms',
  'max.message.bytes',
  'message.timestamp.type',
] as const;

/** One Kafka topic config name. */
export type TopicConfigKey = (typeof TOPIC_CONFIG_KEYS)[number];

/** One entry of a topic's described configuration. */
export interface TopicConfigEntry {
  /** Kafka config name, e.g. `retention.ms`. */
  readonly name: TopicConfigKey;
  /** The value as Kafka prints it, e.g. `604800000`. */
  readonly value: string;
  /** True when the value equals the default it was compared against (not overridden). */
  readonly isDefault: boolean;
}

const INT32_MAX = 2_147_483_647;
const LONG_PATTERN = /^-?\d+$/;

/** Which typed field each Kafka name maps to. */
const FIELD_OF: Record<TopicConfigKey, keyof TopicConfig> = {
  'cleanup.policy': 'cleanupPolicy',
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'segmentMs',
  'delete.retention.ms': 'deleteRetentionMs',
  'min.compaction.lag.ms': 'minCompactionLagMs',
  'max.message.bytes': 'maxMessageBytes',
  'message.timestamp.type': 'messageTimestampType',
};

/** Integer configs: the smallest and largest value Kafka accepts. */
const INTEGER_RANGES: Partial<Record<TopicConfigKey, { readonly min: number; readonly max: number }>> = {
  'retention.ms': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'retention.bytes': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'segment.bytes': { min: 14, max: INT32_MAX },
  'segment.ms': { min: 1, max: Number.MAX_SAFE_INTEGER },
  'delete.retention.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'min.compaction.lag.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'max.message.bytes': { min: 0, max: INT32_MAX },
};

/** Whether `key` is a topic config name this log understands. */
export function isTopicConfigKey(key: string): key is TopicConfigKey {
  return Object.prototype.hasOwnProperty.call(FIELD_OF, key);
}

/**
 * Parses a `cleanup.policy` value: `delete`, `compact`, or both comma-separated in any order
 * (whitespace around items allowed, as Kafka's list type does).
 *
 * @param value the config value, e.g. `delete, compact`
 * @returns the canonical policy (`compact,delete` when both are present)
 * @throws InvalidConfigError naming the key and value when an item is unknown or the list is empty
 * @example
 * parseCleanupPolicy('delete,compact'); // 'compact,delete'
 */
export function parseCleanupPolicy(value: string): CleanupPolicy {
  const items = value.split(',').map((s) => s.trim());
  let compact = false;
  let del = false;
  for (const item of items) {
    if (item === 'compact') compact = true;
    else if (item === 'delete') del = true;
    else {
      throw new InvalidConfigError(
        `Invalid value "${value}" for configuration cleanup.policy: "${item}" is not one of [compact, delete]`,
      );
    }
  }
  if (compact && del) return 'compact,delete';
  if (compact) return 'compact';
  return 'delete';
}

function parseInteger(key: TopicConfigKey, value: string): number {
  const range = INTEGER_RANGES[key]!;
  const trimmed = value.trim();
  if (!LONG_PATTERN.test(trimmed)) {
    throw new InvalidConfigError(`Invalid value "${value}" for configuration ${key}: expected an integer`);
  }
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new InvalidConfigError(
      `Invalid value "${value}" for configuration ${key}: must be between ${range.min} and ${range.max}`,
    );
  }
  return n;
}

function parseTimestampType(value: string): TimestampType {
  const trimmed = value.trim();
  if (trimmed === 'CreateTime' || trimmed === 'LogAppendTime') return trimmed;
  throw new InvalidConfigError(
    `Invalid value "${value}" for configuration message.timestamp.type: must be CreateTime or LogAppendTime`,
  );
}

/**
 * Turns Kafka config names and string values into a typed {@link TopicConfig}, starting from `base`.
 * Keys that are not given keep the base value.
 *
 * @param configs Kafka config names to string values, e.g. `{ 'cleanup.policy': 'compact' }`
 * @param base the config to start from (default {@link DEFAULT_TOPIC_CONFIG})
 * @returns a new frozen config
 * @throws InvalidConfigError naming the key (and value) for an unknown key or a bad value
 * @example
 * const config = parseTopicConfig({ 'retention.ms': '60000', 'cleanup.policy': 'compact,delete' });
 * config.retentionMs; // 60000
 */
export function parseTopicConfig(
  configs: Readonly<Record<string, string>>,
  base: TopicConfig = DEFAULT_TOPIC_CONFIG,
): TopicConfig {
  const result: { -readonly [K in keyof TopicConfig]: TopicConfig[K] } = { ...base };
  for (const key of Object.keys(configs)) {
    const value = configs[key];
    if (!isTopicConfigKey(key)) {
      throw new InvalidConfigError(`Unknown topic configuration "${key}" (value "${String(value)}")`);
    }
    if (typeof value !== 'string') {
      throw new InvalidConfigError(`Invalid value "${String(value)}" for configuration ${key}: expected a string`);
    }
    switch (key) {
      case 'cleanup.policy':
        result.cleanupPolicy = parseCleanupPolicy(value);
        break;
      case 'message.timestamp.type':
        result.messageTimestampType = parseTimestampType(value);
        break;
      case 'retention.ms':
        result.retentionMs = parseInteger(key, value);
        break;
      case 'retention.bytes':
        result.retentionBytes = parseInteger(key, value);
        break;
      case 'segment.bytes':
        result.segmentBytes = parseInteger(key, value);
        break;
      case 'segment.ms':
        result.segmentMs = parseInteger(key, value);
        break;
      case 'delete.retention.ms':
        result.deleteRetentionMs = parseInteger(key, value);
        break;
      case 'min.compaction.lag.ms':
        result.minCompactionLagMs = parseInteger(key, value);
        break;
      case 'max.message.bytes':
        result.maxMessageBytes = parseInteger(key, value);
        break;
    }
  }
  return Object.freeze(result);
}

/**
 * The string value Kafka would print for one config key.
 *
 * @example
 * topicConfigValue(DEFAULT_TOPIC_CONFIG, 'retention.ms'); // '604800000'
 */
export function topicConfigValue(config: TopicConfig, key: TopicConfigKey): string {
  return String(config[FIELD_OF[key]]);
}

/**
 * Lists a config as Kafka names and string values, for `describeConfigs`.
 *
 * @param config the config to describe
 * @param defaults what counts as "not overridden" (default {@link DEFAULT_TOPIC_CONFIG}); an entry is
 *   `isDefault` when its value equals the value here
 * @returns one entry per key of {@link TOPIC_CONFIG_KEYS}, in that order
 * @example
 * topicConfigToEntries(parseTopicConfig({ 'retention.ms': '1000' }))
 *   .find((e) => e.name === 'retention.ms'); // { name: 'retention.ms', value: '1000', isDefault: false }
 */
export function topicConfigToEntries(
  config: TopicConfig,
  defaults: TopicConfig = DEFAULT_TOPIC_CONFIG,
): TopicConfigEntry[] {
  return TOPIC_CONFIG_KEYS.map((name) => {
    const value = topicConfigValue(config, name);
    return { name, value, isDefault: value === topicConfigValue(defaults, name) };
  });
}

/**
 * Converts a typed config back to Kafka names and string values (every key).
 *
 * @example
 * parseTopicConfig(topicConfigToRecord(config)); // equal to config
 */
export function topicConfigToRecord(config: TopicConfig): Record<TopicConfigKey, string> {
  const out = {} as Record<TopicConfigKey, string>;
  for (const key of TOPIC_CONFIG_KEYS) out[key] = topicConfigValue(config, key);
  return out;
}

/** Whether the policy deletes old segments by time or size (`delete` or `compact,delete`). */
export function policyDeletes(policy: CleanupPolicy): boolean {
  return policy !== 'compact';
}

/** Whether the policy compacts by key (`compact` or `compact,delete`). */
export function policyCompacts(policy: CleanupPolicy): boolean {
  return policy !== 'delete';
}
