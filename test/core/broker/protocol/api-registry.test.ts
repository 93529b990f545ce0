import { describe, expect, it } from 'vitest';
import {
  ADVERTISED_VERSIONS,
  API_KEYS,
  API_SPECS,
  apiName,
  apiSpec,
  isServedVersion,
  SERVED_VERSIONS,
} from '../../../../core/broker/protocol/api-registry.ts';

const overlaps = (key: number, min: number, max: number) => {
  const [a, b] = ADVERTISED_VERSIONS.get(key)!;
  return a <= max && b >= min;
};

describe('core/broker/protocol/api-registry', () => {
  it('knows every API by key and name', () => {
    for (const [name, key] of Object.entries(API_KEYS)) {
      expect(apiSpec(key)).toBe(API_SPECS[name as keyof typeof API_SPECS]);
      expect(apiSpec(key)!.request.apiKey).toBe(key);
      expect(apiSpec(key)!.response.apiKey).toBe(key);
      expect(apiName(key)).toBe(name);
      expect(SERVED_VERSIONS.has(key)).toBe(true);
    }
    expect(apiSpec(57)).toBeUndefined();
  });

  it('serves the versions issue 7 asks for', () => {
    const served = (name: keyof typeof API_KEYS) => SERVED_VERSIONS.get(API_KEYS[name]);
    expect(served('ApiVersions')).toEqual([0, 3]);
    expect(served('Metadata')).toEqual([0, 12]);
    expect(served('Produce')).toEqual([3, 9]);
    expect(served('Fetch')).toEqual([4, 13]);
    expect(served('ListOffsets')).toEqual([1, 7]);
    expect(served('OffsetCommit')).toEqual([2, 8]);
    expect(served('OffsetFetch')).toEqual([1, 8]);
    expect(served('FindCoordinator')).toEqual([0, 4]);
    expect(served('JoinGroup')).toEqual([0, 7]);
    expect(served('SyncGroup')).toEqual([0, 5]);
    expect(served('Heartbeat')).toEqual([0, 4]);
    expect(served('LeaveGroup')).toEqual([0, 4]);
    expect(served('DescribeGroups')).toEqual([0, 5]);
    expect(served('ListGroups')).toEqual([0, 4]);
    expect(served('DeleteGroups')).toEqual([0, 2]);
    expect(served('CreateTopics')).toEqual([0, 7]);
    expect(served('DeleteTopics')).toEqual([0, 6]);
    expect(served('CreatePartitions')).toEqual([0, 3]);
    expect(served('DeleteRecords')).toEqual([0, 2]);
    expect(served('DescribeConfigs')).toEqual([0, 4]);
    expect(served('AlterConfigs')).toEqual([0, 2]);
    expect(served('InitProducerId')).toEqual([0, 4]);
    for (const name of ['AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit'] as const) {
      expect(served(name)).toEqual([0, 3]);
    }
    expect(isServedVersion(API_KEYS.Produce, 2)).toBe(false);
    expect(isServedVersion(API_KEYS.Produce, 3)).toBe(true);
    expect(isServedVersion(999, 0)).toBe(false);
  });

  it("advertises what librdkafka's feature windows need, and otherwise exactly what is served", () => {
    expect(ADVERTISED_VERSIONS.get(API_KEYS.Produce)).toEqual([0, 9]);
    expect(overlaps(API_KEYS.Produce, 0, 0) && overlaps(API_KEYS.Produce, 3, 3)).toBe(true);
    expect(overlaps(API_KEYS.Fetch, 4, 4)).toBe(true);
    expect(overlaps(API_KEYS.FindCoordinator, 0, 0)).toBe(true);
    for (const name of ['JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'InitProducerId'] as const) {
      expect(overlaps(API_KEYS[name], 0, 0)).toBe(true);
    }
    expect(overlaps(API_KEYS.OffsetCommit, 1, 2)).toBe(true);
    expect(overlaps(API_KEYS.OffsetFetch, 1, 1)).toBe(true);
    expect(overlaps(API_KEYS.ListOffsets, 1, 1)).toBe(true);
    for (const [key, range] of SERVED_VERSIONS) {
      if (key !== API_KEYS.Produce) expect(ADVERTISED_VERSIONS.get(key)).toEqual(range);
    }
  });
});
