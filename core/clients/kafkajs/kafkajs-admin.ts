/**
 * The LogClient admin over a kafkajs admin client: the calls are kafkajs's own (the contract mirrors
 * them), failures become Tributary errors, and Tributary's `fetchGroupLag` is computed from the group's
 * committed offsets and the topics' end offsets.
 */
import type { Admin as KjsAdmin, Kafka } from 'kafkajs';
import {
  AdminEvents,
  type Admin,
  type AlterConfigResponse,
  type ConfigResourceTypes,
  type DeleteGroupsResult,
  type DescribeConfigResponse,
  type FetchOffsetsPartition,
  type GroupDescription,
  type GroupLagPartition,
  type GroupOverview,
  type IResourceConfigEntry,
  type ITopicConfig,
  type InstrumentationEvent,
  type PartitionMetadata,
  type PartitionOffset,
  type RemoveInstrumentationEventListener,
} from '../log-client.ts';
import { ClosedError } from '../../errors/log-errors.ts';
import { translated } from './kafka-client-error.ts';

/**
 * An admin client on a Kafka cluster or `tributary broker`. Created by {@link KafkajsLogClient.admin}.
 *
 * @example
 * const admin = client.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
 */
export class KafkajsAdmin implements Admin {
  readonly events = AdminEvents;
  private readonly inner: KjsAdmin;
  private closed = false;

  constructor(
    kafka: Kafka,
    private readonly onClosed: (admin: KafkajsAdmin) => void = () => undefined,
  ) {
    this.inner = kafka.admin();
  }

  async connect(): Promise<void> {
    if (this.closed) throw new ClosedError('Admin client');
    await translated('Connecting the admin client', () => this.inner.connect());
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await translated('Disconnecting the admin client', () => this.inner.disconnect());
    } finally {
      this.onClosed(this);
    }
  }

  listTopics(): Promise<string[]> {
    return translated('listTopics', () => this.inner.listTopics());
  }

  createTopics(options: { validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number; topics: ITopicConfig[] }): Promise<boolean> {
    const names = options.topics.map((t) => t.topic).join(', ');
    return translated(`createTopics(${names})`, () => this.inner.createTopics(options));
  }

  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void> {
    return translated(`deleteTopics(${options.topics.join(', ')})`, () => this.inner.deleteTopics(options));
  }

  createPartitions(options: { validateOnly?: boolean; timeout?: number; topicPartitions: { topic: string; count: number }[] }): Promise<boolean> {
    return translated('createPartitions', () => this.inner.createPartitions(options));
  }

  fetchTopicMetadata(options?: { topics?: string[] }): Promise<{ topics: { name: string; partitions: PartitionMetadata[] }[] }> {
    const topics = options?.topics;
    return translated('fetchTopicMetadata', () => this.inner.fetchTopicMetadata(topics === undefined ? undefined : { topics }));
  }

  fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    return translated(`fetchOffsets of group "${options.groupId}"`, async () => {
      const result = await this.inner.fetchOffsets(options);
      return result.map(({ topic, partitions }) => ({
        topic,
        partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset, metadata: p.metadata ?? null })),
      }));
    });
  }

  fetchTopicOffsets(topic: string): Promise<(PartitionOffset & { high: string; low: string })[]> {
    return translated(`fetchTopicOffsets("${topic}")`, () => this.inner.fetchTopicOffsets(topic));
  }

  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<PartitionOffset[]> {
    return translated(`fetchTopicOffsetsByTimestamp("${topic}")`, () => this.inner.fetchTopicOffsetsByTimestamp(topic, timestamp));
  }

  setOffsets(options: { groupId: string; topic: string; partitions: PartitionOffset[] }): Promise<void> {
    return translated(`setOffsets of group "${options.groupId}"`, () => this.inner.setOffsets(options));
  }

  resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    return translated(`resetOffsets of group "${options.groupId}"`, () => this.inner.resetOffsets({ ...options, earliest: options.earliest ?? false }));
  }

  describeConfigs(configs: {
    resources: { type: ConfigResourceTypes; name: string; configNames?: string[] }[];
    includeSynonyms: boolean;
  }): Promise<DescribeConfigResponse> {
    return translated('describeConfigs', () => this.inner.describeConfigs(configs as Parameters<KjsAdmin['describeConfigs']>[0]) as Promise<DescribeConfigResponse>);
  }

  alterConfigs(configs: {
    validateOnly?: boolean;
    resources: { type: ConfigResourceTypes; name: string; configEntries: IResourceConfigEntry[] }[];
  }): Promise<AlterConfigResponse> {
    const request = { ...configs, validateOnly: configs.validateOnly ?? false } as Parameters<KjsAdmin['alterConfigs']>[0];
    return translated('alterConfigs', () => this.inner.alterConfigs(request) as Promise<AlterConfigResponse>);
  }

  listGroups(): Promise<{ groups: GroupOverview[] }> {
    return translated('listGroups', () => this.inner.listGroups());
  }

  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    return translated(`describeGroups(${groupIds.join(', ')})`, () => this.inner.describeGroups(groupIds) as Promise<{ groups: GroupDescription[] }>);
  }

  deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    return translated(`deleteGroups(${groupIds.join(', ')})`, () => this.inner.deleteGroups(groupIds));
  }

  deleteTopicRecords(options: { topic: string; partitions: PartitionOffset[] }): Promise<void> {
    return translated(`deleteTopicRecords("${options.topic}")`, () => this.inner.deleteTopicRecords(options));
  }

  /**
   * Committed offset, high watermark and lag of every partition the group committed (Tributary
   * extension, from OffsetFetch and ListOffsets).
   */
  async fetchGroupLag(options: { groupId: string }): Promise<GroupLagPartition[]> {
    const committed = await this.fetchOffsets({ groupId: options.groupId });
    const out: GroupLagPartition[] = [];
    for (const { topic, partitions } of committed) {
      const ends = new Map((await this.fetchTopicOffsets(topic)).map((o) => [o.partition, o] as const));
      for (const p of partitions) {
        const end = ends.get(p.partition);
        if (end === undefined) continue;
        const high = Number(end.high);
        const from = Number(p.offset) >= 0 ? Number(p.offset) : Number(end.low);
        out.push({ topic, partition: p.partition, offset: p.offset, highWatermark: end.high, lag: String(Math.max(0, high - from)) });
      }
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener {
    return this.inner.on(eventName as typeof this.inner.events.CONNECT, listener as never);
  }
}
