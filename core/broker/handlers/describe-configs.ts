/**
 * DescribeConfigs (api key 32): a topic's configs (every key Tributary's log implements, the default
 * ones marked as such), or the broker's own settings (read-only). Each resource gets its own error.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { DescribeConfigs } from '../protocol/messages/describe-configs.ts';
import { CONFIG_SOURCE, CONFIG_TYPE, topicConfigType } from './topic-config-request.ts';

type DescribeConfigsRequest = ValueOf<typeof DescribeConfigs.request>;
type DescribeConfigsResponse = InputOf<typeof DescribeConfigs.response>;
type ResourceRequest = ElementOf<DescribeConfigsRequest['resources']>;
type ResourceResult = ElementOf<DescribeConfigsResponse['results']>;
type ConfigResult = ElementOf<ResourceResult['configs']>;

/** Kafka's config resource types. */
export const RESOURCE_TYPE = { TOPIC: 2, BROKER: 4 } as const;

interface Entry {
  readonly name: string;
  readonly value: string;
  readonly isDefault: boolean;
  readonly readOnly: boolean;
  readonly source: number;
  readonly type: number;
}

/** DescribeConfigs: topic and broker configs. */
export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: DescribeConfigs.request.apiKey,
  handle: (request, ctx) => ({
    throttleTimeMs: 0,
    results: request.resources.map((r) => describe(ctx, r, request.includeSynonyms)),
  }),
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.resources.map((r) => failed(r, errorCode, null)),
  }),
});

function describe(ctx: RequestContext, resource: ResourceRequest, includeSynonyms: boolean): ResourceResult {
  let entries: Entry[];
  try {
    if (resource.resourceType === RESOURCE_TYPE.TOPIC) {
      entries = ctx.broker.logManager.describeTopicConfig(resource.resourceName).map((e) => ({
        name: e.name,
        value: e.value,
        isDefault: e.isDefault,
        readOnly: false,
        source: e.isDefault ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.TOPIC_CONFIG,
        type: topicConfigType(e.name),
      }));
    } else if (resource.resourceType === RESOURCE_TYPE.BROKER) {
      if (resource.resourceName !== '' && resource.resourceName !== String(ctx.broker.nodeId)) {
        return failed(resource, E.INVALID_REQUEST, `Unknown broker "${resource.resourceName}": the only broker is ${ctx.broker.nodeId}`);
      }
      entries = brokerEntries(ctx);
    } else {
      return failed(resource, E.INVALID_REQUEST, `Resource type ${resource.resourceType} is not supported (topics and the broker are)`);
    }
  } catch (error) {
    return failed(resource, kafkaErrorCodeOf(error), (error as Error).message);
  }
  const keys = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
  const configs = entries
    .filter((e) => keys === null || keys.has(e.name))
    .map(
      (e): ConfigResult => ({
        name: e.name,
        value: e.value,
        readOnly: e.readOnly,
        isDefault: e.isDefault,
        configSource: e.source,
        isSensitive: false,
        synonyms: includeSynonyms ? [{ name: e.name, value: e.value, source: e.source }] : [],
        configType: e.type,
        documentation: null,
      }),
    );
  return { errorCode: E.NONE, errorMessage: null, resourceType: resource.resourceType, resourceName: resource.resourceName, configs };
}

function brokerEntries(ctx: RequestContext): Entry[] {
  const b = ctx.broker;
  const entry = (name: string, value: string, type: number): Entry => ({
    name,
    value,
    isDefault: false,
    readOnly: true,
    source: CONFIG_SOURCE.STATIC_BROKER_CONFIG,
    type,
  });
  return [
    entry('broker.id', String(b.nodeId), CONFIG_TYPE.INT),
    entry('advertised.listeners', `PLAINTEXT://${b.advertisedHost}:${b.advertisedPort}`, CONFIG_TYPE.STRING),
    entry('auto.create.topics.enable', String(b.autoCreateTopics), CONFIG_TYPE.BOOLEAN),
    entry('num.partitions', String(b.defaultNumPartitions), CONFIG_TYPE.INT),
    entry('default.replication.factor', '1', CONFIG_TYPE.INT),
    entry('offsets.topic.replication.factor', '1', CONFIG_TYPE.INT),
    entry('socket.request.max.bytes', String(b.socketRequestMaxBytes), CONFIG_TYPE.INT),
  ];
}

function failed(resource: ResourceRequest, errorCode: number, errorMessage: string | null): ResourceResult {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] };
}
