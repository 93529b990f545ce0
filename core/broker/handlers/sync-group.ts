/**
 * SyncGroup (api key 14) onto {@link GroupCoordinator.syncGroup}: the leader hands in the assignments;
 * every member's response carries its own (followers wait for the leader's).
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { SyncGroup } from '../protocol/messages/sync-group.ts';

type SyncGroupRequest = ValueOf<typeof SyncGroup.request>;
type SyncGroupResponse = InputOf<typeof SyncGroup.response>;

const EMPTY = Buffer.alloc(0);

/** SyncGroup: assignments. */
export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: SyncGroup.request.apiKey,
  async handle(request, ctx) {
    try {
      const { assignment } = await ctx.broker.coordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        // Copies: the request frame is not kept alive by the group's state.
        assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
      });
      return {
        throttleTimeMs: 0,
        errorCode: E.NONE,
        protocolType: request.protocolType,
        protocolName: request.protocolName,
        assignment,
      };
    } catch (error) {
      return failed(request, kafkaErrorCodeOf(error));
    }
  },
  errorResponse: (request, errorCode) => failed(request, errorCode),
});

function failed(request: SyncGroupRequest, errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: request.protocolType, protocolName: request.protocolName, assignment: EMPTY };
}
