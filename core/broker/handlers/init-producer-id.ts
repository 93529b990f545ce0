/**
 * InitProducerId (api key 22): a fresh producer id from {@link LogManager.allocateProducerId} (unique
 * across restarts of the data directory) with epoch 0, for idempotent producers. Transactional ids are
 * refused (the broker has no transaction coordinator).
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { InitProducerId } from '../protocol/messages/init-producer-id.ts';

type InitProducerIdRequest = ValueOf<typeof InitProducerId.request>;
type InitProducerIdResponse = InputOf<typeof InitProducerId.response>;

/** InitProducerId: idempotent producer ids. */
export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: InitProducerId.request.apiKey,
  handle(request, ctx) {
    if (request.transactionalId !== null) {
      ctx.broker.logger.warn(
        `InitProducerId from ${ctx.clientAddress} with transactional id "${request.transactionalId}" refused: the broker has no transactions`,
      );
      return { throttleTimeMs: 0, errorCode: E.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
    }
    try {
      return { throttleTimeMs: 0, errorCode: E.NONE, producerId: ctx.broker.logManager.allocateProducerId(), producerEpoch: 0 };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCodeOf(error), producerId: -1, producerEpoch: -1 };
    }
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
});
