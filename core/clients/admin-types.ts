/**
 * Argument and result shapes of the kafkajs-shaped {@link Admin} client (configs, groups, offsets),
 * mirroring `kafkajs/types/index.d.ts`. Re-exported by `log-client.ts`, the contract's entry point.
 */
import type { PartitionOffset } from './log-client.ts';

/** A config entry to set. */
export interface IResourceConfigEntry {
  name: string;
  value: string;
}

/** A topic to create. */
export interface ITopicConfig {
  topic: string;
  /** Default 1. */
  numPartitions?: number;
  /** Accepted; the embedded log keeps one replica. */
  replicationFactor?: number;
  configEntries?: IResourceConfigEntry[];
}

/** kafkajs's config resource types. Only TOPIC is supported by the embedded log. */
export const ConfigResourceTypes = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;
/** One of {@link ConfigResourceTypes}. */
export type ConfigResourceTypes = (typeof ConfigResourceTypes)[keyof typeof ConfigResourceTypes];

/** kafkajs's config sources. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
/** One of {@link ConfigSource}. */
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

/** A config synonym (kafkajs shape). */
export interface ConfigSynonyms {
  configName: string;
  configValue: string;
  configSource: ConfigSource;
}
/** One config entry of a described resource (kafkajs shape). */
export interface ConfigEntries {
  configName: string;
  configValue: string;
  isDefault: boolean;
  configSource: ConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
  configSynonyms: ConfigSynonyms[];
}
/** Result of {@link Admin.describeConfigs}. */
export interface DescribeConfigResponse {
  resources: {
    configEntries: ConfigEntries[];
    errorCode: number;
    errorMessage: string;
    resourceName: string;
    resourceType: ConfigResourceTypes;
  }[];
  throttleTime: number;
}

/** Result of {@link Admin.alterConfigs} (kafkajs shape). */
export interface AlterConfigResponse {
  resources: { errorCode: number; errorMessage: string | null; resourceName: string; resourceType: ConfigResourceTypes }[];
  throttleTime: number;
}

/** One group of {@link Admin.listGroups}. */
export interface GroupOverview {
  groupId: string;
  protocolType: string;
}
/** One entry of {@link Admin.deleteGroups}'s result. */
export interface DeleteGroupsResult {
  groupId: string;
  errorCode?: number;
}
/** A committed offset as {@link Admin.fetchOffsets} returns it. */
export interface FetchOffsetsPartition extends PartitionOffset {
  metadata: string | null;
}
/** Tributary: a partition's lag for a group. Offsets are decimal strings; `offset` (committed) is `'-1'` when none. */
export interface GroupLagPartition {
  topic: string;
  partition: number;
  /** The committed offset (the next offset the group will read), or `'-1'`. */
  offset: string;
  highWatermark: string;
  /** High watermark minus the committed offset (or minus the log start offset when nothing is committed). */
  lag: string;
}
