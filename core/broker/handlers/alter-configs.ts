/**
 * AlterConfigs (api key 33, the non-incremental form): a topic's configs are replaced by the set given;
 * keys not given return to their defaults, as in Kafka. Kafka configs without meaning on one broker are
 * accepted and ignored. `validateOnly` checks and changes nothing. Broker configs are read-only.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { AlterConfigs } from '../protocol/messages/alter-configs.ts';
import { UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';
import { parseTopicConfig, TOPIC_CONFIG_KEYS } from '../../log/topic-config.ts';
import { RESOURCE_TYPE } from './describe-configs.ts';
import { nonNullConfigs, splitTopicConfigs } from './topic-config-request.ts';

type AlterConfigsRequest = ValueOf<typeof AlterConfigs.request>;
type AlterConfigsResponse = InputOf<typeof AlterConfigs.response>;
type ResourceRequest = ElementOf<AlterConfigsRequest['resources']>;
type ResourceResult = ElementOf<AlterConfigsResponse['responses']>;

/** AlterConfigs: replaces a topic's configs. */
export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: AlterConfigs.request.apiKey,
  async handle(request, ctx) {
    const responses: ResourceResult[] = [];
    for (const r of request.resources) responses.push(await alter(ctx, r, request.validateOnly));
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    responses: request.resources.map((r) => result(r, errorCode, null)),
  }),
});

async function alter(ctx: RequestContext, resource: ResourceRequest, validateOnly: boolean): Promise<ResourceResult> {
  if (resource.resourceType !== RESOURCE_TYPE.TOPIC) {
    return result(resource, E.INVALID_REQUEST, `Resource type ${resource.resourceType} cannot be altered (only topics can)`);
  }
  const logs = ctx.broker.logManager;
  try {
    const name = resource.resourceName;
    if (logs.describeTopic(name) === undefined) throw new UnknownTopicOrPartitionError(name);
    const { applied } = splitTopicConfigs(resource.configs);
    if (validateOnly) {
      parseTopicConfig(nonNullConfigs(applied));
    } else {
      const replacement: Record<string, string | null> = {};
      for (const key of TOPIC_CONFIG_KEYS) replacement[key] = null;
      Object.assign(replacement, applied);
      await logs.alterTopicConfig(name, replacement);
      ctx.broker.logger.info(`Configs of topic "${name}" replaced for ${ctx.clientAddress}`);
    }
    return result(resource, E.NONE, null);
  } catch (error) {
    return result(resource, kafkaErrorCodeOf(error), (error as Error).message);
  }
}

function result(resource: ResourceRequest, errorCode: number, errorMessage: string | null): ResourceResult {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName };
}
