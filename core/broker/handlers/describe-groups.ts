/**
 * DescribeGroups (api key 15) onto {@link GroupCoordinator.describeGroup}: state, protocol and members
 * (with the host each joined from). An unknown group is reported Dead with no members, as Kafka does up
 * to v5.
 */
import { defineHandler } from '../api-handler.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { DescribeGroups } from '../protocol/messages/describe-groups.ts';

type DescribeGroupsRequest = ValueOf<typeof DescribeGroups.request>;
type DescribeGroupsResponse = InputOf<typeof DescribeGroups.response>;

const OPERATIONS_OMITTED = -2147483648;

/** DescribeGroups: state and members. */
export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: DescribeGroups.request.apiKey,
  handle: (request, ctx) => ({
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => {
      try {
        const g = ctx.broker.coordinator.describeGroup(groupId);
        return {
          errorCode: E.NONE,
          groupId,
          groupState: g.state,
          protocolType: g.protocolType,
          protocolData: g.protocol,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: ctx.broker.memberHosts.get(groupId)?.get(m.memberId) ?? '',
            memberMetadata: m.memberMetadata,
            memberAssignment: m.memberAssignment,
          })),
          authorizedOperations: OPERATIONS_OMITTED,
        };
      } catch (error) {
        return failed(groupId, kafkaErrorCodeOf(error));
      }
    }),
  }),
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((g) => failed(g, errorCode)) }),
});

function failed(groupId: string, errorCode: number): NonNullable<DescribeGroupsResponse['groups']>[number] {
  return {
    errorCode,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: OPERATIONS_OMITTED,
  };
}
