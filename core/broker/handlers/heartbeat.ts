/**
 * Heartbeat (api key 12) onto {@link GroupCoordinator.heartbeat}: keeps the member's session alive;
 * REBALANCE_IN_PROGRESS tells it to rejoin.
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { Heartbeat } from '../protocol/messages/heartbeat.ts';

type HeartbeatRequest = ValueOf<typeof Heartbeat.request>;
type HeartbeatResponse = InputOf<typeof Heartbeat.response>;

/** Heartbeat: session keep-alive. */
export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: Heartbeat.request.apiKey,
  handle(request, ctx) {
    try {
      ctx.broker.coordinator.heartbeat({ groupId: request.groupId, generationId: request.generationId, memberId: request.memberId });
      return { throttleTimeMs: 0, errorCode: E.NONE };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCodeOf(error) };
    }
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
