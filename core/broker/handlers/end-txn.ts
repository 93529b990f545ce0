/**
 * EndTxn (api key 26) onto {@link TransactionCoordinator.endTxn}: commits or aborts the producer's open
 * transaction; answered once the markers are written to every partition of it (and, on commit, the
 * group offsets it carried are committed), so read_committed readers see the outcome right after.
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaTxnErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { EndTxn } from '../protocol/messages/end-txn.ts';

type EndTxnRequest = ValueOf<typeof EndTxn.request>;
type EndTxnResponse = InputOf<typeof EndTxn.response>;

/** First version that knows PRODUCER_FENCED. */
const PRODUCER_FENCED_VERSION = 2;

/** EndTxn: commit or abort. */
export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponse>({
  apiKey: EndTxn.request.apiKey,
  async handle(request, ctx) {
    try {
      await ctx.broker.transactions.endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed);
      return { throttleTimeMs: 0, errorCode: E.NONE };
    } catch (error) {
      const errorCode = kafkaTxnErrorCodeOf(error, ctx.apiVersion >= PRODUCER_FENCED_VERSION);
      if (errorCode === E.UNKNOWN_SERVER_ERROR) {
        ctx.broker.logger.error(`EndTxn of "${request.transactionalId}" for ${ctx.clientAddress} failed`, { error });
      }
      return { throttleTimeMs: 0, errorCode };
    }
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
