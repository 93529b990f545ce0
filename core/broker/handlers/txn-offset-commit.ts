/**
 * TxnOffsetCommit (api key 28) onto {@link TransactionCoordinator.txnOffsetCommit}: a group's offsets
 * held in the producer's transaction, committed with it. From v3, a request naming a member (member id
 * or generation >= 0) is checked against the group first (KIP-447), in Kafka's order: a group instance id
 * held by another member is FENCED_INSTANCE_ID, a member the group does not have UNKNOWN_MEMBER_ID,
 * another generation ILLEGAL_GENERATION, so a zombie's offsets never enter the transaction; without one
 * (v0-2, or an empty member id and generation -1) nothing is checked. Partitions
 * of unknown topics get UNKNOWN_TOPIC_OR_PARTITION and metadata over 4096 bytes OFFSET_METADATA_TOO_LARGE,
 * each on its own; a failure of the rest is reported for each of them.
 */
import { defineHandler } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaTxnErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { TxnOffsetCommit } from '../protocol/messages/txn-offset-commit.ts';
import { MAX_OFFSET_METADATA_BYTES } from '../../log/offset-store.ts';

type TxnOffsetCommitRequest = ValueOf<typeof TxnOffsetCommit.request>;
type TxnOffsetCommitResponse = InputOf<typeof TxnOffsetCommit.response>;

/** First version that names the consumer (and answers PRODUCER_FENCED). */
const MEMBER_VERSION = 3;

/** TxnOffsetCommit: offsets into the open transaction. */
export const txnOffsetCommitHandler = defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: TxnOffsetCommit.request.apiKey,
  async handle(request, ctx) {
    const codes = request.topics.map((t) => t.partitions.map((p) => precheck(ctx, t.name, p.partitionIndex, p.committedMetadata)));
    const offsets: { topic: string; partition: number; offset: number; metadata: string | null }[] = [];
    request.topics.forEach((t, ti) =>
      t.partitions.forEach((p, pi) => {
        if (codes[ti]![pi] === E.NONE) {
          offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata });
        }
      }),
    );
    let code: number = E.NONE;
    if (offsets.length > 0) {
      try {
        if (ctx.apiVersion >= MEMBER_VERSION && instanceFenced(ctx, request)) {
          code = E.FENCED_INSTANCE_ID;
        } else {
          if (ctx.apiVersion >= MEMBER_VERSION) {
            ctx.broker.coordinator.checkTxnOffsetCommitMember(request.groupId, request.memberId, request.generationId);
          }
          await ctx.broker.transactions.txnOffsetCommit(request.transactionalId, request.groupId, request.producerId, request.producerEpoch, offsets);
        }
      } catch (error) {
        code = kafkaTxnErrorCodeOf(error, ctx.apiVersion >= MEMBER_VERSION);
        if (code === E.UNKNOWN_SERVER_ERROR) {
          ctx.broker.logger.error(`TxnOffsetCommit of "${request.transactionalId}" for ${ctx.clientAddress} failed`, { error });
        }
      }
    }
    return respond(request, (ti, pi) => (codes[ti]![pi] === E.NONE ? code : codes[ti]![pi]!));
  },
  errorResponse: (request, errorCode) => respond(request, () => errorCode),
});

/** Whether the request's group instance id belongs to another member of the group (a static member replaced it). */
function instanceFenced(ctx: RequestContext, request: TxnOffsetCommitRequest): boolean {
  if (request.groupInstanceId === null) return false;
  const holder = ctx.broker.coordinator.describeGroup(request.groupId).members.find((m) => m.groupInstanceId === request.groupInstanceId);
  return holder !== undefined && holder.memberId !== request.memberId;
}

function precheck(ctx: RequestContext, topic: string, partition: number, metadata: string | null): number {
  const described = ctx.broker.logManager.describeTopic(topic);
  if (described === undefined || partition < 0 || partition >= described.numPartitions) return E.UNKNOWN_TOPIC_OR_PARTITION;
  if (metadata !== null && Buffer.byteLength(metadata, 'utf8') > MAX_OFFSET_METADATA_BYTES) return E.OFFSET_METADATA_TOO_LARGE;
  return E.NONE;
}

function respond(request: TxnOffsetCommitRequest, codeOf: (topicIndex: number, partitionIndex: number) => number): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t, ti) => ({
      name: t.name,
      partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(ti, pi) })),
    })),
  };
}
