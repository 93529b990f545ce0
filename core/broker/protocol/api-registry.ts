/**
 * Every API the broker knows: its key, its request/response descriptions, the versions the broker serves,
 * and the versions ApiVersions advertises. Advertised equals served, except where librdkafka needs a
 * lower minimum to turn features on (Produce must include versions 0 and 3, or librdkafka stops
 * compressing); a request for a version that is advertised but not served is answered with
 * UNSUPPORTED_VERSION (35).
 */
import type { MessageSpec } from './message-spec.ts';
import { AddOffsetsToTxn } from './messages/add-offsets-to-txn.ts';
import { AddPartitionsToTxn } from './messages/add-partitions-to-txn.ts';
import { AlterConfigs } from './messages/alter-configs.ts';
import { ApiVersions } from './messages/api-versions.ts';
import { CreatePartitions } from './messages/create-partitions.ts';
import { CreateTopics } from './messages/create-topics.ts';
import { DeleteGroups } from './messages/delete-groups.ts';
import { DeleteRecords } from './messages/delete-records.ts';
import { DeleteTopics } from './messages/delete-topics.ts';
import { DescribeConfigs } from './messages/describe-configs.ts';
import { DescribeGroups } from './messages/describe-groups.ts';
import { EndTxn } from './messages/end-txn.ts';
import { Fetch } from './messages/fetch.ts';
import { FindCoordinator } from './messages/find-coordinator.ts';
import { Heartbeat } from './messages/heartbeat.ts';
import { InitProducerId } from './messages/init-producer-id.ts';
import { JoinGroup } from './messages/join-group.ts';
import { LeaveGroup } from './messages/leave-group.ts';
import { ListGroups } from './messages/list-groups.ts';
import { ListOffsets } from './messages/list-offsets.ts';
import { Metadata } from './messages/metadata.ts';
import { OffsetCommit } from './messages/offset-commit.ts';
import { OffsetFetch } from './messages/offset-fetch.ts';
import { Produce } from './messages/produce.ts';
import { SyncGroup } from './messages/sync-group.ts';
import { TxnOffsetCommit } from './messages/txn-offset-commit.ts';

/** Kafka API keys by name. */
export const API_KEYS = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const;

/** The name of an API the broker knows. */
export type ApiName = keyof typeof API_KEYS;

/** A request description with its response description. */
export interface ApiSpec {
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}

/** The descriptions of every known API, by name (typed: `API_SPECS.Metadata.request`). */
export const API_SPECS = {
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  DescribeConfigs,
  AlterConfigs,
  CreatePartitions,
  DeleteGroups,
} as const satisfies Record<ApiName, ApiSpec>;

const SPECS_BY_KEY = new Map<number, ApiSpec>(
  (Object.keys(API_KEYS) as ApiName[]).map((name) => [API_KEYS[name], API_SPECS[name]]),
);

/**
 * The request and response descriptions of an API key, or undefined for a key the broker does not know.
 *
 * @example
 * const spec = apiSpec(header.apiKey);
 * if (spec === undefined) closeConnection();
 */
export function apiSpec(apiKey: number): ApiSpec | undefined {
  return SPECS_BY_KEY.get(apiKey);
}

/** The name of an API key, or undefined. */
export function apiName(apiKey: number): ApiName | undefined {
  const spec = SPECS_BY_KEY.get(apiKey);
  return spec === undefined ? undefined : (spec.request.name as ApiName);
}

/** The versions the broker implements, `[min, max]` by API key. */
export const SERVED_VERSIONS: ReadonlyMap<number, readonly [number, number]> = new Map<number, readonly [number, number]>([
  [API_KEYS.Produce, [3, 9]],
  [API_KEYS.Fetch, [4, 13]],
  [API_KEYS.ListOffsets, [1, 7]],
  [API_KEYS.Metadata, [0, 12]],
  [API_KEYS.OffsetCommit, [2, 8]],
  [API_KEYS.OffsetFetch, [1, 8]],
  [API_KEYS.FindCoordinator, [0, 4]],
  [API_KEYS.JoinGroup, [0, 7]],
  [API_KEYS.Heartbeat, [0, 4]],
  [API_KEYS.LeaveGroup, [0, 4]],
  [API_KEYS.SyncGroup, [0, 5]],
  [API_KEYS.DescribeGroups, [0, 5]],
  [API_KEYS.ListGroups, [0, 4]],
  [API_KEYS.ApiVersions, [0, 3]],
  [API_KEYS.CreateTopics, [0, 7]],
  [API_KEYS.DeleteTopics, [0, 6]],
  [API_KEYS.DeleteRecords, [0, 2]],
  [API_KEYS.InitProducerId, [0, 4]],
  [API_KEYS.AddPartitionsToTxn, [0, 3]],
  [API_KEYS.AddOffsetsToTxn, [0, 3]],
  [API_KEYS.EndTxn, [0, 3]],
  [API_KEYS.TxnOffsetCommit, [0, 3]],
  [API_KEYS.DescribeConfigs, [0, 4]],
  [API_KEYS.AlterConfigs, [0, 2]],
  [API_KEYS.CreatePartitions, [0, 3]],
  [API_KEYS.DeleteGroups, [0, 2]],
]);

/**
 * What ApiVersions returns, `[min, max]` by API key: the served range, with min lowered to 0 where
 * librdkafka's feature windows need it (Produce: 0 and 3). kafkajs ignores the minimum.
 */
export const ADVERTISED_VERSIONS: ReadonlyMap<number, readonly [number, number]> = new Map(
  [...SERVED_VERSIONS].map(([key, [min, max]]) => [key, key === API_KEYS.Produce ? [0, max] : [min, max]] as const),
);

/** Whether the broker serves `version` of `apiKey`. */
export function isServedVersion(apiKey: number, version: number): boolean {
  const range = SERVED_VERSIONS.get(apiKey);
  return range !== undefined && version >= range[0] && version <= range[1];
}
