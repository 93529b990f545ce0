/**
 * AddPartitionsToTxn (api key 24) onto {@link TransactionCoordinator.addPartitionsToTxn}: the partitions
 * join the producer's transaction (opening it if none is open). As Kafka: when a partition is unknown it
 * gets UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, nothing is added; otherwise the
 * coordinator's answer (none, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS, ...) is every partition's code.
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaTxnErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { AddPartitionsToTxn } from '../protocol/messages/add-partitions-to-txn.ts';

type AddPartitionsToTxnRequest = ValueOf<typeof AddPartitionsToTxn.request>;
type AddPartitionsToTxnResponse = InputOf<typeof AddPartitionsToTxn.response>;

/** First version that knows PRODUCER_FENCED. */
const PRODUCER_FENCED_VERSION = 2;

/** AddPartitionsToTxn: partitions join the open transaction. */
export const addPartitionsToTxnHandler = defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: AddPartitionsToTxn.request.apiKey,
  async handle(request, ctx) {
    const logs = ctx.broker.logManager;
    const unknown = request.v3AndBelowTopics.map((t) => {
      const described = logs.describeTopic(t.name);
      return t.partitions.map((p) => described === undefined || p < 0 || p >= described.numPartitions);
    });
    if (unknown.some((t) => t.some(Boolean))) {
      return respond(request, (ti, pi) => (unknown[ti]![pi] ? E.UNKNOWN_TOPIC_OR_PARTITION : E.OPERATION_NOT_ATTEMPTED));
    }
    let code: number = E.NONE;
    try {
      await ctx.broker.transactions.addPartitionsToTxn(
        request.v3AndBelowTransactionalId,
        request.v3AndBelowProducerId,
        request.v3AndBelowProducerEpoch,
        request.v3AndBelowTopics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
      );
    } catch (error) {
      code = kafkaTxnErrorCodeOf(error, ctx.apiVersion >= PRODUCER_FENCED_VERSION);
      if (code === E.UNKNOWN_SERVER_ERROR) {
        ctx.broker.logger.error(`AddPartitionsToTxn of "${request.v3AndBelowTransactionalId}" for ${ctx.clientAddress} failed`, { error });
      }
    }
    return respond(request, () => code);
  },
  errorResponse: (request, errorCode) => respond(request, () => errorCode),
});

function respond(request: AddPartitionsToTxnRequest, codeOf: (topicIndex: number, partitionIndex: number) => number): AddPartitionsToTxnResponse {
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: request.v3AndBelowTopics.map((t, ti) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex, pi) => ({ partitionIndex, partitionErrorCode: codeOf(ti, pi) })),
    })),
  };
}
