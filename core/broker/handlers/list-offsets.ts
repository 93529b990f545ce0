/**
 * ListOffsets (api key 2): per partition, the offset for a timestamp: -2 the log start offset, -1 the
 * latest offset (the high watermark; for READ_COMMITTED (v2+) the last stable offset), -3
 * (v7) the offset of the record with the largest timestamp, and any other timestamp the first offset
 * whose record timestamp is at least it (offset -1 when there is none).
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { ListOffsets } from '../protocol/messages/list-offsets.ts';
import type { PartitionLog } from '../../log/partition-log.ts';
import { offsetOfMaxTimestamp } from './max-timestamp.ts';

type ListOffsetsRequest = ValueOf<typeof ListOffsets.request>;
type ListOffsetsResponse = InputOf<typeof ListOffsets.response>;
type PartitionResponse = ElementOf<ElementOf<ListOffsetsResponse['topics']>['partitions']>;

/** Kafka's special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
const READ_COMMITTED = 1;

/** ListOffsets: earliest, latest, by timestamp, max timestamp. */
export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: ListOffsets.request.apiKey,
  handle: (request, ctx) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => lookup(ctx, t.name, p.partitionIndex, p.timestamp, request.isolationLevel === READ_COMMITTED)),
    })),
  }),
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 })),
    })),
  }),
});

function lookup(ctx: RequestContext, topic: string, partition: number, timestamp: number, committed: boolean): PartitionResponse {
  try {
    const log = ctx.broker.logManager.partition(topic, partition);
    const found = offsetFor(log, timestamp, committed);
    return { partitionIndex: partition, errorCode: E.NONE, oldStyleOffsets: [], timestamp: found.timestamp, offset: found.offset, leaderEpoch: 0 };
  } catch (error) {
    return { partitionIndex: partition, errorCode: kafkaErrorCodeOf(error), oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
  }
}

function offsetFor(log: PartitionLog, timestamp: number, committed: boolean): { offset: number; timestamp: number } {
  switch (timestamp) {
    case LATEST_TIMESTAMP:
      return { offset: committed ? log.lastStableOffset : log.highWatermark, timestamp: -1 };
    case EARLIEST_TIMESTAMP:
      return { offset: log.logStartOffset, timestamp: -1 };
    case MAX_TIMESTAMP:
      return offsetOfMaxTimestamp(log) ?? { offset: -1, timestamp: -1 };
    default:
      return log.offsetForTimestamp(timestamp) ?? { offset: -1, timestamp: -1 };
  }
}
