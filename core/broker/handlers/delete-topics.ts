/**
 * DeleteTopics (api key 20) onto {@link LogManager.deleteTopic}: topics by name (v0-5) or, from v6, by
 * name or topic id; each gets its own error. Internal topics (`__consumer_offsets`) cannot be deleted.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import { ZERO_UUID, type InputOf, type ValueOf } from '../protocol/message-spec.ts';
import { DeleteTopics } from '../protocol/messages/delete-topics.ts';
import { topicNamesById } from './topic-lookup.ts';

type DeleteTopicsRequest = ValueOf<typeof DeleteTopics.request>;
type DeleteTopicsResponse = InputOf<typeof DeleteTopics.response>;
type TopicResult = ElementOf<DeleteTopicsResponse['responses']>;

const TOPIC_ID_VERSION = 6;

/** DeleteTopics: by name or id. */
export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: DeleteTopics.request.apiKey,
  async handle(request, ctx) {
    const responses: TopicResult[] = [];
    if (ctx.apiVersion < TOPIC_ID_VERSION) {
      for (const name of request.topicNames) responses.push(await deleteOne(ctx, name, ZERO_UUID));
      return { throttleTimeMs: 0, responses };
    }
    const byId = topicNamesById(ctx.broker.logManager);
    for (const t of request.topics) {
      if (t.name !== null) {
        responses.push(await deleteOne(ctx, t.name, ctx.broker.logManager.describeTopic(t.name)?.topicId ?? ZERO_UUID));
        continue;
      }
      const name = byId.get(t.topicId);
      if (name === undefined) {
        responses.push({ name: null, topicId: t.topicId, errorCode: E.UNKNOWN_TOPIC_ID, errorMessage: `Unknown topic id ${t.topicId}` });
      } else {
        responses.push(await deleteOne(ctx, name, t.topicId));
      }
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode, ctx) => ({
    throttleTimeMs: 0,
    responses:
      ctx.apiVersion < TOPIC_ID_VERSION
        ? request.topicNames.map((name) => ({ name, topicId: ZERO_UUID, errorCode, errorMessage: null }))
        : request.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: null })),
  }),
});

async function deleteOne(ctx: RequestContext, name: string, topicId: string): Promise<TopicResult> {
  const logs = ctx.broker.logManager;
  try {
    if (logs.describeTopic(name)?.internal === true) {
      return { name, topicId, errorCode: E.INVALID_REQUEST, errorMessage: `Internal topic "${name}" cannot be deleted` };
    }
    await logs.deleteTopic(name);
    ctx.broker.logger.info(`Deleted topic "${name}" for ${ctx.clientAddress}`);
    return { name, topicId, errorCode: E.NONE, errorMessage: null };
  } catch (error) {
    return { name, topicId, errorCode: kafkaErrorCodeOf(error), errorMessage: (error as Error).message };
  }
}
