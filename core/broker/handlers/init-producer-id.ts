/**
 * InitProducerId (api key 22). Without a transactional id: a fresh producer id from
 * {@link LogManager.allocateProducerId} (unique across restarts of the data directory) with epoch 0, for
 * idempotent producers. With one: {@link TransactionCoordinator.initProducerId} maps the transactional id
 * to its producer id and bumps the epoch, which fences older producers of the id and aborts a transaction
 * they left open. The v3+ producer id and epoch of a producer resuming itself (KIP-360) are not used.
 * PRODUCER_FENCED (90) is answered from v4, INVALID_PRODUCER_EPOCH (47) before.
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf, kafkaTxnErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { InitProducerId } from '../protocol/messages/init-producer-id.ts';

type InitProducerIdRequest = ValueOf<typeof InitProducerId.request>;
type InitProducerIdResponse = InputOf<typeof InitProducerId.response>;

/** First version that knows PRODUCER_FENCED. */
const PRODUCER_FENCED_VERSION = 4;

/** InitProducerId: idempotent and transactional producer ids. */
export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: InitProducerId.request.apiKey,
  async handle(request, ctx) {
    if (request.transactionalId !== null) {
      try {
        const { producerId, producerEpoch } = await ctx.broker.transactions.initProducerId(request.transactionalId, request.transactionTimeoutMs);
        return { throttleTimeMs: 0, errorCode: E.NONE, producerId, producerEpoch };
      } catch (error) {
        const errorCode = kafkaTxnErrorCodeOf(error, ctx.apiVersion >= PRODUCER_FENCED_VERSION);
        if (errorCode === E.UNKNOWN_SERVER_ERROR) {
          ctx.broker.logger.error(`InitProducerId of "${request.transactionalId}" for ${ctx.clientAddress} failed`, { error });
        }
        return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
      }
    }
    try {
      return { throttleTimeMs: 0, errorCode: E.NONE, producerId: ctx.broker.logManager.allocateProducerId(), producerEpoch: 0 };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCodeOf(error), producerId: -1, producerEpoch: -1 };
    }
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
});
