/**
 * Metadata (api key 3): the one broker (node 0, at the advertised host and port, also the controller)
 * and the requested topics (all of them when the list is null, or empty in v0), each partition led by
 * node 0 with node 0 as its only replica. A requested topic that does not exist is created with the
 * default partition count when the broker allows it (`autoCreateTopics`) and the request does too
 * (`allowAutoTopicCreation`, v4+; always in v0-3); otherwise it is reported UNKNOWN_TOPIC_OR_PARTITION.
 * From v10 topics carry their stable topic ids and may be asked for by id.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import { ZERO_UUID, type InputOf, type ValueOf } from '../protocol/message-spec.ts';
import { Metadata } from '../protocol/messages/metadata.ts';
import { TopicAlreadyExistsError } from '../../errors/log-errors.ts';
import type { TopicDescription } from '../../log/log-contracts.ts';
import { topicNamesById } from './topic-lookup.ts';

type MetadataRequest = ValueOf<typeof Metadata.request>;
type MetadataResponse = InputOf<typeof Metadata.response>;
type TopicResponse = ElementOf<MetadataResponse['topics']>;

/** Kafka's "authorized operations not requested" marker. */
const OPERATIONS_OMITTED = -2147483648;

/** Metadata: the broker, the topics, auto-creation. */
export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: Metadata.request.apiKey,
  async handle(request, ctx) {
    const logs = ctx.broker.logManager;
    const all = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    let topics: TopicResponse[];
    if (all) {
      topics = logs.listTopics().map((t) => describeTopic(t, ctx.broker.nodeId));
    } else {
      const allowCreate = ctx.broker.autoCreateTopics && (ctx.apiVersion < 4 || request.allowAutoTopicCreation);
      const byId = ctx.apiVersion >= 10 ? topicNamesById(logs) : null;
      topics = [];
      for (const requested of request.topics!) {
        if (requested.name === null) {
          const name = byId?.get(requested.topicId);
          const described = name === undefined ? undefined : logs.describeTopic(name);
          topics.push(described === undefined ? errorTopic(null, E.UNKNOWN_TOPIC_ID, requested.topicId) : describeTopic(described, ctx.broker.nodeId));
        } else {
          topics.push(await topicByName(ctx, requested.name, allowCreate));
        }
      }
    }
    return response(ctx, topics);
  },
  errorResponse: (request, errorCode, ctx) =>
    response(ctx, (request.topics ?? []).map((t) => errorTopic(t.name, errorCode, t.topicId))),
});

async function topicByName(ctx: RequestContext, name: string, allowCreate: boolean): Promise<TopicResponse> {
  const logs = ctx.broker.logManager;
  const existing = logs.describeTopic(name);
  if (existing !== undefined) return describeTopic(existing, ctx.broker.nodeId);
  if (!allowCreate) return errorTopic(name, E.UNKNOWN_TOPIC_OR_PARTITION, ZERO_UUID);
  try {
    const created = await logs.createTopic(name, { numPartitions: ctx.broker.defaultNumPartitions });
    ctx.broker.logger.info(`Created topic "${name}" (${created.numPartitions} partitions) for ${ctx.clientAddress} (auto-create)`);
    return describeTopic(created, ctx.broker.nodeId);
  } catch (error) {
    const raced = error instanceof TopicAlreadyExistsError ? logs.describeTopic(name) : undefined;
    if (raced !== undefined) return describeTopic(raced, ctx.broker.nodeId);
    return errorTopic(name, kafkaErrorCodeOf(error), ZERO_UUID);
  }
}

function describeTopic(t: TopicDescription, nodeId: number): TopicResponse {
  const partitions = [];
  for (let p = 0; p < t.numPartitions; p++) {
    partitions.push({
      errorCode: E.NONE,
      partitionIndex: p,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    });
  }
  return {
    errorCode: E.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions,
    topicAuthorizedOperations: OPERATIONS_OMITTED,
  };
}

function errorTopic(name: string | null, errorCode: number, topicId: string): TopicResponse {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_OMITTED };
}

function response(ctx: RequestContext, topics: TopicResponse[]): MetadataResponse {
  const broker = ctx.broker;
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort, rack: null }],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
    clusterAuthorizedOperations: OPERATIONS_OMITTED,
  };
}
