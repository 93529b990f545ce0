/**
 * ListGroups (api key 16) onto {@link GroupCoordinator.listGroups}: every live group with its protocol
 * type, and from v4 its state, filtered by `statesFilter` when given (state names compare
 * case-insensitively, as in Kafka).
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { ListGroups } from '../protocol/messages/list-groups.ts';

type ListGroupsRequest = ValueOf<typeof ListGroups.request>;
type ListGroupsResponse = InputOf<typeof ListGroups.response>;

/** ListGroups: live groups. */
export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: ListGroups.request.apiKey,
  handle(request, ctx) {
    try {
      const states = new Set(request.statesFilter.map((s) => s.toLowerCase()));
      const groups = ctx.broker.coordinator
        .listGroups()
        .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
        .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state }));
      return { throttleTimeMs: 0, errorCode: E.NONE, groups };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorCodeOf(error), groups: [] };
    }
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
});
