/**
 * DeleteGroups (api key 42) onto {@link GroupCoordinator.deleteGroups}: empty groups are deleted with
 * their committed offsets; each group gets its own error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP).
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { DeleteGroups } from '../protocol/messages/delete-groups.ts';

type DeleteGroupsRequest = ValueOf<typeof DeleteGroups.request>;
type DeleteGroupsResponse = InputOf<typeof DeleteGroups.response>;

/** DeleteGroups: empty groups and their offsets. */
export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: DeleteGroups.request.apiKey,
  async handle(request, ctx) {
    const results = await ctx.broker.coordinator.deleteGroups(request.groupsNames);
    for (const r of results) if (r.error === null) ctx.broker.memberHosts.delete(r.groupId);
    return {
      throttleTimeMs: 0,
      results: results.map((r) => ({ groupId: r.groupId, errorCode: r.error === null ? E.NONE : kafkaErrorCodeOf(r.error) })),
    };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
  }),
});
