/**
 * LeaveGroup (api key 13) onto {@link GroupCoordinator.leaveGroup}: one member in v0-2, a batch of
 * members from v3 (each answered on its own; a static member may be named by its group instance id
 * alone).
 */
import { defineHandler } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { LeaveGroup } from '../protocol/messages/leave-group.ts';

type LeaveGroupRequest = ValueOf<typeof LeaveGroup.request>;
type LeaveGroupResponse = InputOf<typeof LeaveGroup.response>;

const BATCH_VERSION = 3;

/** LeaveGroup: members leave. */
export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: LeaveGroup.request.apiKey,
  handle(request, ctx) {
    if (ctx.apiVersion < BATCH_VERSION) {
      return { throttleTimeMs: 0, errorCode: leave(ctx, request.groupId, request.memberId, null), members: [] };
    }
    const members = request.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: leave(ctx, request.groupId, m.memberId, m.groupInstanceId),
    }));
    return { throttleTimeMs: 0, errorCode: E.NONE, members };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    members: request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode })),
  }),
});

function leave(ctx: RequestContext, groupId: string, memberId: string, groupInstanceId: string | null): number {
  const coordinator = ctx.broker.coordinator;
  try {
    let id = memberId;
    if (id === '' && groupInstanceId !== null) {
      id = coordinator.describeGroup(groupId).members.find((m) => m.groupInstanceId === groupInstanceId)?.memberId ?? '';
    }
    coordinator.leaveGroup({ groupId, memberId: id });
    ctx.broker.memberHosts.get(groupId)?.delete(id);
    return E.NONE;
  } catch (error) {
    return kafkaErrorCodeOf(error);
  }
}
