/**
 * DeleteRecords (api key 21) onto {@link PartitionLog.deleteRecordsBefore}: raises each partition's log
 * start offset (offset -1 = the high watermark) and answers the new low watermark.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { DeleteRecords } from '../protocol/messages/delete-records.ts';

type DeleteRecordsRequest = ValueOf<typeof DeleteRecords.request>;
type DeleteRecordsResponse = InputOf<typeof DeleteRecords.response>;
type PartitionResult = ElementOf<ElementOf<DeleteRecordsResponse['topics']>['partitions']>;

/** DeleteRecords: moves log start offsets. */
export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: DeleteRecords.request.apiKey,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(t.partitions.map((p) => deleteBefore(ctx, t.name, p.partitionIndex, p.offset))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })),
    })),
  }),
});

async function deleteBefore(ctx: RequestContext, topic: string, partition: number, offset: number): Promise<PartitionResult> {
  try {
    const lowWatermark = await ctx.broker.logManager.partition(topic, partition).deleteRecordsBefore(offset);
    return { partitionIndex: partition, lowWatermark, errorCode: E.NONE };
  } catch (error) {
    return { partitionIndex: partition, lowWatermark: -1, errorCode: kafkaErrorCodeOf(error) };
  }
}
