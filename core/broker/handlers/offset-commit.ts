/**
 * OffsetCommit (api key 8) onto {@link GroupCoordinator.commitOffsets}: the member of the current
 * generation commits (generation -1 with an empty member id is a standalone commit, allowed while the
 * group has no members). Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION and metadata over
 * 4096 bytes OFFSET_METADATA_TOO_LARGE, each on its own; the rest are committed as one batch, and a
 * group-level failure (stale generation, rebalance, unknown member) is reported for each of them.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { OffsetCommit } from '../protocol/messages/offset-commit.ts';
import { MAX_OFFSET_METADATA_BYTES, type OffsetCommit as CommittedOffset } from '../../log/offset-store.ts';

type OffsetCommitRequest = ValueOf<typeof OffsetCommit.request>;
type OffsetCommitResponse = InputOf<typeof OffsetCommit.response>;
type TopicResponse = ElementOf<OffsetCommitResponse['topics']>;

/** OffsetCommit: committed offsets of a group. */
export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: OffsetCommit.request.apiKey,
  async handle(request, ctx) {
    const codes = request.topics.map((t) => t.partitions.map((p) => precheck(ctx, t.name, p.partitionIndex, p.committedMetadata)));
    const offsets: CommittedOffset[] = [];
    request.topics.forEach((t, ti) =>
      t.partitions.forEach((p, pi) => {
        if (codes[ti]![pi] !== E.NONE) return;
        offsets.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          metadata: p.committedMetadata,
          leaderEpoch: p.committedLeaderEpoch,
        });
      }),
    );
    let groupCode: number = E.NONE;
    if (offsets.length > 0) {
      try {
        await ctx.broker.coordinator.commitOffsets({
          groupId: request.groupId,
          generationId: request.generationIdOrMemberEpoch,
          memberId: request.memberId,
          offsets,
        });
      } catch (error) {
        groupCode = kafkaErrorCodeOf(error);
      }
    }
    return {
      throttleTimeMs: 0,
      topics: request.topics.map(
        (t, ti): TopicResponse => ({
          name: t.name,
          partitions: t.partitions.map((p, pi) => ({
            partitionIndex: p.partitionIndex,
            errorCode: codes[ti]![pi] === E.NONE ? groupCode : codes[ti]![pi]!,
          })),
        }),
      ),
    };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  }),
});

function precheck(ctx: RequestContext, topic: string, partition: number, metadata: string | null): number {
  const described = ctx.broker.logManager.describeTopic(topic);
  if (described === undefined || partition < 0 || partition >= described.numPartitions) return E.UNKNOWN_TOPIC_OR_PARTITION;
  if (metadata !== null && Buffer.byteLength(metadata, 'utf8') > MAX_OFFSET_METADATA_BYTES) return E.OFFSET_METADATA_TOO_LARGE;
  return E.NONE;
}
