/**
 * CreatePartitions (api key 37) onto {@link LogManager.createPartitions}: grows each topic to `count`
 * partitions (each topic its own error); `validateOnly` checks and changes nothing. Replica assignments
 * may only name this broker.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { CreatePartitions } from '../protocol/messages/create-partitions.ts';
import { InvalidPartitionsError, UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';

type CreatePartitionsRequest = ValueOf<typeof CreatePartitions.request>;
type CreatePartitionsResponse = InputOf<typeof CreatePartitions.response>;
type TopicRequest = ElementOf<CreatePartitionsRequest['topics']>;
type TopicResult = ElementOf<CreatePartitionsResponse['results']>;

/** CreatePartitions: more partitions. */
export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: CreatePartitions.request.apiKey,
  async handle(request, ctx) {
    const results: TopicResult[] = [];
    for (const t of request.topics) results.push(await growOne(ctx, t, request.validateOnly));
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
  }),
});

async function growOne(ctx: RequestContext, t: TopicRequest, validateOnly: boolean): Promise<TopicResult> {
  const logs = ctx.broker.logManager;
  if (t.assignments !== null && t.assignments.some((a) => a.brokerIds.some((id) => id !== ctx.broker.nodeId))) {
    return { name: t.name, errorCode: E.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Partitions can only be assigned to broker ${ctx.broker.nodeId}` };
  }
  try {
    if (validateOnly) {
      const described = logs.describeTopic(t.name);
      if (described === undefined) throw new UnknownTopicOrPartitionError(t.name);
      if (t.count <= described.numPartitions) {
        throw new InvalidPartitionsError(`Topic "${t.name}" has ${described.numPartitions} partitions; the new count ${t.count} must be larger`);
      }
    } else {
      await logs.createPartitions(t.name, t.count);
      ctx.broker.logger.info(`Topic "${t.name}" grown to ${t.count} partitions for ${ctx.clientAddress}`);
    }
    return { name: t.name, errorCode: E.NONE, errorMessage: null };
  } catch (error) {
    return { name: t.name, errorCode: kafkaErrorCodeOf(error), errorMessage: (error as Error).message };
  }
}
