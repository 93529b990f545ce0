/**
 * AddOffsetsToTxn (api key 25) onto {@link TransactionCoordinator.addOffsetsToTxn}: the consumer group
 * joins the producer's transaction, so TxnOffsetCommit can send its offsets into it.
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaTxnErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { AddOffsetsToTxn } from '../protocol/messages/add-offsets-to-txn.ts';

type AddOffsetsToTxnRequest = ValueOf<typeof AddOffsetsToTxn.request>;
type AddOffsetsToTxnResponse = InputOf<typeof AddOffsetsToTxn.response>;

/** First version that knows PRODUCER_FENCED. */
const PRODUCER_FENCED_VERSION = 2;

/** AddOffsetsToTxn: a group joins the open transaction. */
export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: AddOffsetsToTxn.request.apiKey,
  async handle(request, ctx) {
    try {
      await ctx.broker.transactions.addOffsetsToTxn(request.transactionalId, request.producerId, request.producerEpoch, request.groupId);
      return { throttleTimeMs: 0, errorCode: E.NONE };
    } catch (error) {
      const errorCode = kafkaTxnErrorCodeOf(error, ctx.apiVersion >= PRODUCER_FENCED_VERSION);
      if (errorCode === E.UNKNOWN_SERVER_ERROR) {
        ctx.broker.logger.error(`AddOffsetsToTxn of "${request.transactionalId}" for ${ctx.clientAddress} failed`, { error });
      }
      return { throttleTimeMs: 0, errorCode };
    }
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
