/**
 * OffsetFetch (api key 9) onto {@link GroupCoordinator.fetchOffsets}: the committed offsets of the
 * requested partitions (offset -1 where nothing is committed), or of every committed partition when
 * the topic list is null (v2+). v8 asks for several groups at once and answers one entry per group.
 * No transactions exist, so `requireStable` never has pending offsets to wait for.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { OffsetFetch } from '../protocol/messages/offset-fetch.ts';
import type { FetchedOffset } from '../../log/group-requests.ts';

type OffsetFetchRequest = ValueOf<typeof OffsetFetch.request>;
type OffsetFetchResponse = InputOf<typeof OffsetFetch.response>;
type TopicResponse = ElementOf<OffsetFetchResponse['topics']>;

const MULTI_GROUP_VERSION = 8;

interface RequestedTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

interface GroupResult {
  readonly topics: TopicResponse[];
  readonly errorCode: number;
}

/** OffsetFetch: committed offsets, one group or (v8) several. */
export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: OffsetFetch.request.apiKey,
  handle(request, ctx) {
    if (ctx.apiVersion >= MULTI_GROUP_VERSION) {
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((g) => {
          const result = fetchGroup(ctx, g.groupId, g.topics);
          return { groupId: g.groupId, topics: result.topics, errorCode: result.errorCode };
        }),
      };
    }
    const result = fetchGroup(ctx, request.groupId, request.topics);
    return { throttleTimeMs: 0, topics: result.topics, errorCode: result.errorCode };
  },
  errorResponse: (request, errorCode, ctx) => {
    if (ctx.apiVersion >= MULTI_GROUP_VERSION) {
      return { throttleTimeMs: 0, groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
    }
    const topics = (request.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode,
      })),
    }));
    return { throttleTimeMs: 0, topics, errorCode };
  },
});

function fetchGroup(ctx: RequestContext, groupId: string, topics: readonly RequestedTopic[] | null): GroupResult {
  let fetched: FetchedOffset[];
  try {
    fetched = ctx.broker.coordinator.fetchOffsets({
      groupId,
      ...(topics === null
        ? {}
        : { partitions: topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))) }),
    });
  } catch (error) {
    const errorCode = kafkaErrorCodeOf(error);
    return { errorCode, topics: [] };
  }
  const byTopic = new Map<string, FetchedOffset[]>();
  for (const t of topics ?? []) byTopic.set(t.name, []);
  for (const o of fetched) {
    let list = byTopic.get(o.topic);
    if (list === undefined) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  return {
    errorCode: E.NONE,
    topics: [...byTopic].map(([name, offsets]) => ({
      name,
      partitions: offsets.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: -1,
        metadata: o.metadata ?? '',
        errorCode: E.NONE,
      })),
    })),
  };
}
