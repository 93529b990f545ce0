import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, openTestLog, type TestLog } from './embedded-test-log.ts';
import type { EmbeddedAdmin } from '../../../../core/clients/embedded/embedded-admin.ts';
import type { EmbeddedProducer } from '../../../../core/clients/embedded/embedded-producer.ts';
import { ConfigResourceTypes, ConfigSource } from '../../../../core/clients/log-client.ts';
import {
  ClosedError,
  InvalidConfigError,
  InvalidPartitionsError,
  OffsetOutOfRangeError,
  UnknownTopicOrPartitionError,
} from '../../../../core/errors/log-errors.ts';
import { GroupIdNotFoundError, GroupNotEmptyError } from '../../../../core/errors/group-errors.ts';

describe('core/clients/embedded/embedded-admin', () => {
  let t: TestLog;
  let admin: EmbeddedAdmin;
  let producer: EmbeddedProducer;

  beforeEach(async () => {
    t = await openTestLog();
    admin = t.log.admin();
    await admin.connect();
    producer = t.log.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await t.cleanup();
  });

  async function fill(topic: string, partition: number, timestamps: number[]): Promise<void> {
    await producer.send({ topic, messages: timestamps.map((ts, i) => ({ value: `v${i}`, partition, timestamp: String(ts) })) });
  }

  it('creates, lists, describes, grows and deletes topics', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }, { topic: 'b' }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }, { topic: 'c', numPartitions: 1 }] })).toBe(false);
    expect(await admin.createTopics({ validateOnly: true, topics: [{ topic: 'd', numPartitions: 3 }] })).toBe(true);
    expect((await admin.listTopics()).filter((n) => !n.startsWith('__')).sort()).toEqual(['a', 'b', 'c']);
    await expect(admin.createTopics({ topics: [{ topic: 'e', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(admin.createTopics({ topics: [{ topic: 'f', numPartitions: 0 }] })).rejects.toBeInstanceOf(InvalidPartitionsError);

    expect(await admin.fetchTopicMetadata({ topics: ['a'] })).toEqual({
      topics: [
        {
          name: 'a',
          partitions: [
            { partitionErrorCode: 0, partitionId: 0, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] },
            { partitionErrorCode: 0, partitionId: 1, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] },
          ],
        },
      ],
    });
    await expect(admin.fetchTopicMetadata({ topics: ['nope'] })).rejects.toThrow(new UnknownTopicOrPartitionError('nope'));

    expect(await admin.createPartitions({ topicPartitions: [{ topic: 'a', count: 4 }] })).toBe(true);
    expect((await admin.fetchTopicMetadata({ topics: ['a'] })).topics[0]!.partitions).toHaveLength(4);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'a', count: 3 }] })).rejects.toBeInstanceOf(InvalidPartitionsError);

    await admin.deleteTopics({ topics: ['b', 'c'] });
    expect((await admin.listTopics()).filter((n) => !n.startsWith('__'))).toEqual(['a']);
    await expect(admin.deleteTopics({ topics: ['b'] })).rejects.toBeInstanceOf(UnknownTopicOrPartitionError);
  });

  it('describes and alters topic configs (AlterConfigs replaces the whole set of overrides)', async () => {
    await admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configNames: ['retention.ms', 'cleanup.policy'] }],
      includeSynonyms: true,
    });
    expect(described).toEqual({
      throttleTime: 0,
      resources: [
        {
          errorCode: 0,
          errorMessage: '',
          resourceName: 'cfg',
          resourceType: ConfigResourceTypes.TOPIC,
          configEntries: [
            {
              configName: 'cleanup.policy',
              configValue: 'delete',
              isDefault: true,
              configSource: ConfigSource.DEFAULT_CONFIG,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [{ configName: 'cleanup.policy', configValue: 'delete', configSource: ConfigSource.DEFAULT_CONFIG }],
            },
            {
              configName: 'retention.ms',
              configValue: '60000',
              isDefault: false,
              configSource: ConfigSource.TOPIC_CONFIG,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [{ configName: 'retention.ms', configValue: '60000', configSource: ConfigSource.TOPIC_CONFIG }],
            },
          ],
        },
      ],
    });
    const all = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }], includeSynonyms: false });
    expect(all.resources[0]!.configEntries.length).toBeGreaterThanOrEqual(9);

    const altered = await admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
    expect(altered.resources).toEqual([{ errorCode: 0, errorMessage: null, resourceName: 'cfg', resourceType: ConfigResourceTypes.TOPIC }]);
    const config = t.log.logManager.describeTopic('cfg')!.config;
    expect(config.cleanupPolicy).toBe('compact');
    expect(config.retentionMs).toBe(604_800_000); // not in the request: back to the default

    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '1' }] }],
    });
    expect(t.log.logManager.describeTopic('cfg')!.config.retentionMs).toBe(604_800_000);
    await expect(
      admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'no.such', value: '1' }] }] }),
    ).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }], includeSynonyms: false })).rejects.toThrow(/TOPIC/);
  });

  it('reports offsets, finds offsets by timestamp and deletes records', async () => {
    await admin.createTopics({ topics: [{ topic: 'ts', numPartitions: 2 }] });
    await fill('ts', 0, [1000, 2000, 3000, 4000]);
    await fill('ts', 1, [500]);
    expect(await admin.fetchTopicOffsets('ts')).toEqual([
      { partition: 0, offset: '4', high: '4', low: '0' },
      { partition: 1, offset: '1', high: '1', low: '0' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('ts', 1500)).toEqual([
      { partition: 0, offset: '1' },
      { partition: 1, offset: '1' }, // nothing that late: the high watermark
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('ts', 0)).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('ts')).toEqual([
      { partition: 0, offset: '4' },
      { partition: 1, offset: '1' },
    ]);
    await admin.deleteTopicRecords({ topic: 'ts', partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '-1' }] });
    expect(await admin.fetchTopicOffsets('ts')).toEqual([
      { partition: 0, offset: '4', high: '4', low: '3' },
      { partition: 1, offset: '1', high: '1', low: '1' },
    ]);
    await expect(admin.deleteTopicRecords({ topic: 'ts', partitions: [{ partition: 0, offset: '9' }] })).rejects.toBeInstanceOf(OffsetOutOfRangeError);
  });

  it('lists, describes, resets, sets, lags and deletes consumer groups', async () => {
    await admin.createTopics({ topics: [{ topic: 'g', numPartitions: 2 }] });
    await fill('g', 0, [1, 2, 3, 4, 5]);
    await fill('g', 1, [1, 2]);
    const consumer = t.log.consumer({ groupId: 'readers', maxWaitTimeInMs: 100, heartbeatInterval: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['g'], fromBeginning: true });
    let seen = 0;
    await consumer.run({
      eachMessage: async ({ partition }) => {
        if (partition === 0) seen++;
      },
    });
    await eventually(() => seen === 5, 5000, 'partition 0 consumed');
    await eventually(() => t.log.coordinator.fetchOffsets({ groupId: 'readers' }).length === 2, 5000, 'commits');
    expect(await admin.listGroups()).toEqual({ groups: [{ groupId: 'readers', protocolType: 'consumer' }] });
    const { groups } = await admin.describeGroups(['readers', 'ghost']);
    expect(groups[0]).toMatchObject({ groupId: 'readers', state: 'Stable', protocol: 'roundrobin', protocolType: 'consumer' });
    expect(groups[0]!.members).toHaveLength(1);
    expect(groups[0]!.members[0]!.memberAssignment.length).toBeGreaterThan(0);
    expect(groups[1]).toEqual({ groupId: 'ghost', state: 'Dead', protocol: '', protocolType: '', members: [] });

    await expect(admin.setOffsets({ groupId: 'readers', topic: 'g', partitions: [{ partition: 0, offset: '1' }] })).rejects.toBeInstanceOf(GroupNotEmptyError);
    await expect(admin.deleteGroups(['readers'])).rejects.toBeInstanceOf(GroupNotEmptyError);
    await consumer.disconnect();

    expect(await admin.fetchOffsets({ groupId: 'readers', topics: ['g'] })).toEqual([
      { topic: 'g', partitions: [{ partition: 0, offset: '5', metadata: null }, { partition: 1, offset: '2', metadata: null }] },
    ]);
    await fill('g', 0, [6, 7]);
    expect(await admin.fetchGroupLag({ groupId: 'readers' })).toEqual([
      { topic: 'g', partition: 0, offset: '5', highWatermark: '7', lag: '2' },
      { topic: 'g', partition: 1, offset: '2', highWatermark: '2', lag: '0' },
    ]);

    await admin.resetOffsets({ groupId: 'readers', topic: 'g', earliest: true });
    expect((await admin.fetchOffsets({ groupId: 'readers' }))[0]!.partitions.map((p) => p.offset)).toEqual(['0', '0']);
    await admin.resetOffsets({ groupId: 'readers', topic: 'g' });
    expect((await admin.fetchOffsets({ groupId: 'readers' }))[0]!.partitions.map((p) => p.offset)).toEqual(['7', '2']);
    await admin.setOffsets({ groupId: 'readers', topic: 'g', partitions: [{ partition: 1, offset: '1' }] });
    expect((await admin.fetchGroupLag({ groupId: 'readers' }))[1]).toEqual({ topic: 'g', partition: 1, offset: '1', highWatermark: '2', lag: '1' });
    expect(await admin.fetchGroupLag({ groupId: 'nobody' })).toEqual([]);

    expect(await admin.deleteGroups(['readers'])).toEqual([{ groupId: 'readers', errorCode: 0 }]);
    expect(await admin.fetchOffsets({ groupId: 'readers' })).toEqual([]);
    await expect(admin.deleteGroups(['readers'])).rejects.toBeInstanceOf(GroupIdNotFoundError);
  });

  it('throws ClosedError after disconnect', async () => {
    await admin.disconnect();
    await expect(admin.listTopics()).rejects.toBeInstanceOf(ClosedError);
    await expect(admin.connect()).rejects.toBeInstanceOf(ClosedError);
  });
});
