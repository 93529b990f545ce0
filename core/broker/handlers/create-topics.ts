/**
 * CreateTopics (api key 19) onto {@link LogManager.createTopic}: each topic on its own (its own error),
 * with partitions from `numPartitions` (-1 = the broker default) or from the replica assignment,
 * replication factor 1 (or -1) only, as there is one broker, and configs (Kafka configs without meaning
 * on one broker are accepted and ignored). `validateOnly` checks everything and creates nothing. From v5
 * the result carries the partition count, replication factor and the resulting configs; from v7 the id.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import { ZERO_UUID, type InputOf, type ValueOf } from '../protocol/message-spec.ts';
import { CreateTopics } from '../protocol/messages/create-topics.ts';
import { InvalidPartitionsError, TopicAlreadyExistsError } from '../../errors/log-errors.ts';
import { parseTopicConfig, topicConfigToEntries, type TopicConfigEntry } from '../../log/topic-config.ts';
import { validateTopicName } from '../../log/topic-name.ts';
import { CONFIG_SOURCE, nonNullConfigs, splitTopicConfigs } from './topic-config-request.ts';

type CreateTopicsRequest = ValueOf<typeof CreateTopics.request>;
type CreateTopicsResponse = InputOf<typeof CreateTopics.response>;
type TopicRequest = ElementOf<CreateTopicsRequest['topics']>;
type TopicResult = ElementOf<CreateTopicsResponse['topics']>;

/** CreateTopics: new topics, or a dry run. */
export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: CreateTopics.request.apiKey,
  async handle(request, ctx) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: TopicResult[] = [];
    for (const t of request.topics) {
      if (counts.get(t.name)! > 1) {
        topics.push(failed(t.name, E.INVALID_REQUEST, `Topic "${t.name}" appears more than once in the request`));
        continue;
      }
      topics.push(await createOne(ctx, t, request.validateOnly));
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => failed(t.name, errorCode, null)),
  }),
});

async function createOne(ctx: RequestContext, t: TopicRequest, validateOnly: boolean): Promise<TopicResult> {
  const logs = ctx.broker.logManager;
  let numPartitions = t.numPartitions === -1 ? ctx.broker.defaultNumPartitions : t.numPartitions;
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      return failed(t.name, E.INVALID_REQUEST, 'Give either a replica assignment or numPartitions and replicationFactor, not both');
    }
    if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== ctx.broker.nodeId)) {
      return failed(t.name, E.INVALID_REPLICA_ASSIGNMENT, `Every partition must be assigned to broker ${ctx.broker.nodeId} alone`);
    }
    numPartitions = t.assignments.length;
  }
  const replicationFactor = t.replicationFactor === -1 ? 1 : t.replicationFactor;
  if (replicationFactor !== 1) {
    return failed(t.name, E.INVALID_REPLICATION_FACTOR, `Replication factor ${replicationFactor} is larger than the number of brokers (1)`);
  }
  const { applied, ignored } = splitTopicConfigs(t.configs);
  const configs = nonNullConfigs(applied);
  try {
    let topicId = ZERO_UUID;
    let entries: TopicConfigEntry[];
    if (validateOnly) {
      validateTopicName(t.name);
      if (logs.describeTopic(t.name) !== undefined) throw new TopicAlreadyExistsError(t.name);
      if (!Number.isInteger(numPartitions) || numPartitions < 1) {
        throw new InvalidPartitionsError(`Partition count ${numPartitions} of topic "${t.name}" must be a positive integer`);
      }
      entries = topicConfigToEntries(parseTopicConfig(configs));
    } else {
      const created = await logs.createTopic(t.name, { numPartitions, configs });
      topicId = created.topicId;
      entries = logs.describeTopicConfig(t.name);
      ctx.broker.logger.info(
        `Created topic "${t.name}" (${numPartitions} partitions) for ${ctx.clientAddress}` +
          (ignored.length > 0 ? `; ignored configs without effect on one broker: ${ignored.join(', ')}` : ''),
      );
    }
    return {
      name: t.name,
      topicId,
      errorCode: E.NONE,
      errorMessage: null,
      numPartitions,
      replicationFactor: 1,
      configs: entries.map((e) => ({
        name: e.name,
        value: e.value,
        readOnly: false,
        configSource: e.isDefault ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.TOPIC_CONFIG,
        isSensitive: false,
      })),
    };
  } catch (error) {
    return failed(t.name, kafkaErrorCodeOf(error), (error as Error).message);
  }
}

/**
 * A failed topic. `configs` is an empty array, not null: the field is nullable from v5, but Kafka sends its
 * default (empty) and @kafkats/client 0.12 rejects a null there.
 */
function failed(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] };
}
