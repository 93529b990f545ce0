/**
 * The kafkajs-shaped admin client of the embedded log: topics, partitions and configs through the
 * {@link LogManager}; groups and committed offsets through the {@link GroupCoordinator}. Results have
 * kafkajs's shapes (offsets as decimal strings); failures are typed Tributary errors naming the topic,
 * partition or group.
 */
import {
  AdminEvents,
  ConfigResourceTypes,
  ConfigSource,
  type Admin,
  type AlterConfigResponse,
  type ConfigEntries,
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
import { InstrumentationEmitter } from '../instrumentation-emitter.ts';
import type { EmbeddedContext } from './embedded-context.ts';
import { toGroupDescription } from './group-description.ts';
import { parseTopicConfig, TOPIC_CONFIG_KEYS } from '../../log/topic-config.ts';
import { validateTopicName } from '../../log/topic-name.ts';
import type { PartitionLogApi } from '../../log/log-contracts.ts';
import { decodeSubscription } from '../../log/consumer-protocol.ts';
import { ClosedError, IllegalStateError, InvalidArgumentError, InvalidPartitionsError, TopicAlreadyExistsError, UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';
import { compareTopicPartitions } from '../../log/assignors/partition-assignor.ts';

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(`Invalid ${what} ${String(value)}`);
  return value;
}

function parseOffset(offset: string | number, where: string): number {
  const n = typeof offset === 'number' ? offset : /^-?\d+$/.test(String(offset)) ? Number(offset) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`Invalid offset "${String(offset)}" for ${where}`);
  return n;
}

function entriesToRecord(entries: readonly IResourceConfigEntry[] | undefined, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries ?? []) {
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string') {
      throw new InvalidArgumentError(`Invalid config entry for ${where}: expected { name, value }`);
    }
    out[e.name] = String(e.value);
  }
  return out;
}

/**
 * Admin operations on the embedded log. Created by {@link EmbeddedLog.admin}.
 *
 * @example
 * const admin = log.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6 }] });
 * await admin.fetchTopicOffsets('orders'); // [{ partition: 0, offset: '0', high: '0', low: '0' }, ...]
 */
export class EmbeddedAdmin implements Admin {
  readonly events = AdminEvents;
  private state: 'new' | 'connected' | 'closed' = 'new';
  private releaseKeepAlive: () => void = () => undefined;
  private readonly emitter: InstrumentationEmitter;

  constructor(
    private readonly ctx: EmbeddedContext,
    private readonly onClosed: (admin: EmbeddedAdmin) => void = () => undefined,
  ) {
    this.emitter = new InstrumentationEmitter(ctx.clock, ctx.logger);
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new ClosedError('Admin client');
    if (this.state === 'connected') return;
    this.state = 'connected';
    this.releaseKeepAlive = this.ctx.keepAlive.acquire();
    this.emitter.emit(AdminEvents.CONNECT, null);
  }

  async disconnect(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.releaseKeepAlive();
    this.emitter.emit(AdminEvents.DISCONNECT, null);
    this.onClosed(this);
  }

  on(eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener {
    return this.emitter.on(eventName, listener);
  }

  /** Every topic name, internal topics (`__consumer_offsets`) included, as a Kafka broker lists them. */
  async listTopics(): Promise<string[]> {
    this.assertConnected();
    return this.ctx.logManager.listTopics().map((t) => t.name);
  }

  /**
   * Creates topics (default 1 partition). Resolves true when all were created, false when some already
   * existed (kafkajs semantics); `validateOnly` checks names, counts and configs without creating.
   * @throws InvalidTopicError, InvalidPartitionsError, InvalidConfigError
   */
  async createTopics(options: { validateOnly?: boolean; topics: ITopicConfig[] }): Promise<boolean> {
    this.assertConnected();
    if (!Array.isArray(options?.topics)) throw new InvalidArgumentError('createTopics() needs { topics: [...] }');
    const plans = options.topics.map((t) => {
      const topic = requireString(t?.topic, 'topic');
      const numPartitions = t.numPartitions === undefined || t.numPartitions === -1 ? 1 : t.numPartitions;
      if (!Number.isInteger(numPartitions) || numPartitions < 1) {
        throw new InvalidPartitionsError(`Topic "${topic}": number of partitions must be a positive integer, got ${t.numPartitions}`);
      }
      const configs = entriesToRecord(t.configEntries, `topic "${topic}"`);
      return { topic, numPartitions, configs };
    });
    const names = new Set<string>();
    for (const p of plans) {
      if (names.has(p.topic)) throw new InvalidArgumentError(`Topic "${p.topic}" appears twice in createTopics`);
      names.add(p.topic);
    }
    if (options.validateOnly) {
      for (const p of plans) {
        validateTopicName(p.topic);
        parseTopicConfig(p.configs);
      }
      return !plans.some((p) => this.ctx.logManager.describeTopic(p.topic) !== undefined);
    }
    let allCreated = true;
    for (const p of plans) {
      try {
        await this.ctx.logManager.createTopic(p.topic, { numPartitions: p.numPartitions, configs: p.configs });
      } catch (error) {
        if (!(error instanceof TopicAlreadyExistsError)) throw error;
        allCreated = false;
      }
    }
    return allCreated;
  }

  /** @throws UnknownTopicOrPartitionError */
  async deleteTopics(options: { topics: string[] }): Promise<void> {
    this.assertConnected();
    for (const topic of options.topics) await this.ctx.logManager.deleteTopic(requireString(topic, 'topic'));
  }

  /** Grows topics to `count` partitions. @throws InvalidPartitionsError, UnknownTopicOrPartitionError */
  async createPartitions(options: { validateOnly?: boolean; topicPartitions: { topic: string; count: number }[] }): Promise<boolean> {
    this.assertConnected();
    for (const { topic, count } of options.topicPartitions) {
      const description = this.describeTopic(topic);
      if (!Number.isInteger(count) || count <= description.numPartitions) {
        throw new InvalidPartitionsError(
          `Topic "${topic}" has ${description.numPartitions} partitions; the new count ${count} must be larger`,
        );
      }
      if (!options.validateOnly) await this.ctx.logManager.createPartitions(topic, count);
    }
    return true;
  }

  /** Metadata of the given topics (default: all), one broker (node 0) leading every partition. */
  async fetchTopicMetadata(options?: { topics?: string[] }): Promise<{ topics: { name: string; partitions: PartitionMetadata[] }[] }> {
    this.assertConnected();
    const names = options?.topics ?? this.ctx.logManager.listTopics().map((t) => t.name);
    return {
      topics: names.map((name) => {
        const description = this.describeTopic(name);
        const partitions: PartitionMetadata[] = [];
        for (let p = 0; p < description.numPartitions; p++) {
          partitions.push({ partitionErrorCode: 0, partitionId: p, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] });
        }
        return { name, partitions };
      }),
    };
  }

  /** High watermark (`offset`, `high`) and log start offset (`low`) of every partition. */
  async fetchTopicOffsets(topic: string): Promise<(PartitionOffset & { high: string; low: string })[]> {
    this.assertConnected();
    return this.logsOf(topic).map((log) => {
      const high = String(log.highWatermark);
      return { partition: log.partition, offset: high, high, low: String(log.logStartOffset) };
    });
  }

  /** Per partition, the first offset with a timestamp >= `timestamp`, or the high watermark if none. */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<PartitionOffset[]> {
    this.assertConnected();
    return this.logsOf(topic).map((log) => {
      const found = timestamp === undefined ? null : log.offsetForTimestamp(timestamp);
      return { partition: log.partition, offset: String(found === null ? log.highWatermark : found.offset) };
    });
  }

  /**
   * Moves the log start offset of partitions (Kafka's DeleteRecords); offset '-1' means the high watermark.
   * @throws OffsetOutOfRangeError when an offset is beyond the high watermark; UnknownTopicOrPartitionError
   */
  async deleteTopicRecords(options: { topic: string; partitions: PartitionOffset[] }): Promise<void> {
    this.assertConnected();
    const topic = requireString(options?.topic, 'topic');
    for (const { partition, offset } of options.partitions) {
      const log = this.ctx.logManager.partition(topic, partition);
      await log.deleteRecordsBefore(parseOffset(offset, `${topic}-${partition}`));
    }
  }

  /**
   * Describes topic configs (only resource type TOPIC = 2). Each entry says whether it is the default and
   * where it comes from; `includeSynonyms` adds the entry's own source as its synonym.
   */
  async describeConfigs(configs: {
    resources: { type: number; name: string; configNames?: string[] }[];
    includeSynonyms: boolean;
  }): Promise<DescribeConfigResponse> {
    this.assertConnected();
    const resources = configs.resources.map((r) => {
      if (r.type !== ConfigResourceTypes.TOPIC) {
        throw new InvalidArgumentError(`Config resource type ${r.type} of "${r.name}" is not supported (only TOPIC = 2)`);
      }
      const wanted = r.configNames && r.configNames.length > 0 ? new Set(r.configNames) : null;
      const configEntries: ConfigEntries[] = this.ctx.logManager
        .describeTopicConfig(requireString(r.name, 'topic'))
        .filter((e) => wanted === null || wanted.has(e.name))
        .map((e) => {
          const configSource = e.isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.TOPIC_CONFIG;
          return {
            configName: e.name,
            configValue: e.value,
            isDefault: e.isDefault,
            configSource,
            isSensitive: false,
            readOnly: false,
            configSynonyms: configs.includeSynonyms ? [{ configName: e.name, configValue: e.value, configSource }] : [],
          };
        });
      return { configEntries, errorCode: 0, errorMessage: '', resourceName: r.name, resourceType: ConfigResourceTypes.TOPIC };
    });
    return { resources, throttleTime: 0 };
  }

  /**
   * Kafka's AlterConfigs: the given entries become each topic's complete set of overrides (keys not given
   * return to their defaults). `validateOnly` only checks the entries.
   * @throws InvalidConfigError, UnknownTopicOrPartitionError
   */
  async alterConfigs(configs: {
    validateOnly?: boolean;
    resources: { type: number; name: string; configEntries: IResourceConfigEntry[] }[];
  }): Promise<AlterConfigResponse> {
    this.assertConnected();
    const resources: AlterConfigResponse['resources'] = [];
    for (const r of configs.resources) {
      if (r.type !== ConfigResourceTypes.TOPIC) {
        throw new InvalidArgumentError(`Config resource type ${r.type} of "${r.name}" is not supported (only TOPIC = 2)`);
      }
      this.describeTopic(r.name);
      const given = entriesToRecord(r.configEntries, `topic "${r.name}"`);
      parseTopicConfig(given);
      if (!configs.validateOnly) {
        const update: Record<string, string | null> = {};
        for (const key of TOPIC_CONFIG_KEYS) update[key] = null;
        Object.assign(update, given);
        await this.ctx.logManager.alterTopicConfig(r.name, update);
      }
      resources.push({ errorCode: 0, errorMessage: null, resourceName: r.name, resourceType: ConfigResourceTypes.TOPIC });
    }
    return { resources, throttleTime: 0 };
  }

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    this.assertConnected();
    return { groups: this.ctx.coordinator.listGroups().map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })) };
  }

  /** Describes groups; an unknown group is reported with state `Dead` and no members (as Kafka). */
  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    this.assertConnected();
    return { groups: groupIds.map((id) => toGroupDescription(this.ctx.coordinator.describeGroup(requireString(id, 'group id')))) };
  }

  /**
   * Deletes empty groups and their committed offsets.
   * @throws the error of the first group that could not be deleted (GroupIdNotFoundError, GroupNotEmptyError)
   */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    this.assertConnected();
    const results = await this.ctx.coordinator.deleteGroups(groupIds);
    const failed = results.find((r) => r.error !== null);
    if (failed !== undefined) throw failed.error;
    return results.map((r) => ({ groupId: r.groupId, errorCode: 0 }));
  }

  /**
   * Committed offsets of a group: for the given topics every partition ('-1' when nothing is committed);
   * without topics, every partition the group committed.
   */
  async fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    this.assertConnected();
    const groupId = requireString(options?.groupId, 'group id');
    let fetched;
    if (options.topics === undefined || options.topics.length === 0) {
      fetched = this.ctx.coordinator.fetchOffsets({ groupId });
    } else {
      const partitions = options.topics.flatMap((topic) =>
        Array.from({ length: this.describeTopic(topic).numPartitions }, (_, partition) => ({ topic, partition })),
      );
      fetched = this.ctx.coordinator.fetchOffsets({ groupId, partitions });
    }
    const byTopic = new Map<string, FetchOffsetsPartition[]>();
    for (const f of [...fetched].sort(compareTopicPartitions)) {
      let list = byTopic.get(f.topic);
      if (list === undefined) byTopic.set(f.topic, (list = []));
      list.push({ partition: f.partition, offset: String(f.offset), metadata: f.metadata });
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /**
   * Sets a group's committed offsets of one topic; the group must have no active members.
   * @throws GroupNotEmptyError, UnknownTopicOrPartitionError, InvalidArgumentError
   */
  async setOffsets(options: { groupId: string; topic: string; partitions: PartitionOffset[] }): Promise<void> {
    this.assertConnected();
    const groupId = requireString(options?.groupId, 'group id');
    const topic = requireString(options.topic, 'topic');
    if (!Array.isArray(options.partitions) || options.partitions.length === 0) {
      throw new InvalidArgumentError(`setOffsets for group "${groupId}" topic "${topic}" needs partitions`);
    }
    const offsets = options.partitions.map(({ partition, offset }) => {
      const log = this.ctx.logManager.partition(topic, partition);
      const o = parseOffset(offset, `${topic}-${partition}`);
      const resolved = o === -1 ? log.highWatermark : o === -2 ? log.logStartOffset : o;
      if (resolved < 0) throw new InvalidArgumentError(`Offset ${offset} for ${topic}-${partition} must not be negative`);
      return { topic, partition, offset: resolved, metadata: null };
    });
    await this.ctx.coordinator.setOffsets(groupId, offsets);
  }

  /** Sets a group's offsets of one topic to the earliest (log start) or latest (high watermark) offsets. */
  async resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    this.assertConnected();
    const partitions = this.logsOf(requireString(options?.topic, 'topic')).map((log) => ({
      partition: log.partition,
      offset: String(options.earliest ? log.logStartOffset : log.highWatermark),
    }));
    await this.setOffsets({ groupId: options.groupId, topic: options.topic, partitions });
  }

  /**
   * Tributary: committed offset, high watermark and lag of every partition the group committed or whose
   * topic a member subscribes to, sorted by topic and partition.
   */
  async fetchGroupLag(options: { groupId: string }): Promise<GroupLagPartition[]> {
    this.assertConnected();
    const groupId = requireString(options?.groupId, 'group id');
    const committed = new Map<string, number>();
    const partitions: { topic: string; partition: number }[] = [];
    const add = (topic: string, partition: number): void => {
      const k = `${topic}\u0000${partition}`;
      if (committed.has(k)) return;
      committed.set(k, -1);
      partitions.push({ topic, partition });
    };
    const description = this.ctx.coordinator.describeGroup(groupId);
    for (const m of description.members) {
      if (m.memberMetadata.length === 0) continue;
      for (const topic of decodeSubscription(m.memberMetadata, `group "${groupId}" member ${m.memberId}`).topics) {
        const t = this.ctx.logManager.describeTopic(topic);
        for (let p = 0; p < (t?.numPartitions ?? 0); p++) add(topic, p);
      }
    }
    for (const f of this.ctx.coordinator.fetchOffsets({ groupId })) {
      add(f.topic, f.partition);
      committed.set(`${f.topic}\u0000${f.partition}`, f.offset);
    }
    const out: GroupLagPartition[] = [];
    for (const { topic, partition } of partitions.sort(compareTopicPartitions)) {
      let log: PartitionLogApi;
      try {
        log = this.ctx.logManager.partition(topic, partition);
      } catch (error) {
        if (error instanceof UnknownTopicOrPartitionError) continue; // deleted topic: nothing to lag behind
        throw error;
      }
      const offset = committed.get(`${topic}\u0000${partition}`)!;
      const high = log.highWatermark;
      const lag = Math.max(0, high - (offset >= 0 ? Math.max(offset, log.logStartOffset) : log.logStartOffset));
      out.push({ topic, partition, offset: String(offset), highWatermark: String(high), lag: String(lag) });
    }
    return out;
  }

  private assertConnected(): void {
    if (this.state === 'closed') throw new ClosedError('Admin client');
    if (this.state !== 'connected') throw new IllegalStateError('Admin client is not connected: call connect() first');
  }

  private describeTopic(topic: string) {
    const description = this.ctx.logManager.describeTopic(requireString(topic, 'topic'));
    if (description === undefined) throw new UnknownTopicOrPartitionError(topic);
    return description;
  }

  private logsOf(topic: string): PartitionLogApi[] {
    const description = this.describeTopic(topic);
    return Array.from({ length: description.numPartitions }, (_, p) => this.ctx.logManager.partition(topic, p));
  }
}
