/**
 * JoinGroup (api key 11) onto {@link GroupCoordinator.joinGroup}: the response comes when the rebalance
 * completes (the coordinator assigns a member id on the first join; the KIP-394 MEMBER_ID_REQUIRED round
 * trip is not used). v0 has no rebalance timeout: the session timeout stands in, as in Kafka.
 */
import { defineHandler } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { JoinGroup } from '../protocol/messages/join-group.ts';

type JoinGroupRequest = ValueOf<typeof JoinGroup.request>;
type JoinGroupResponse = InputOf<typeof JoinGroup.response>;

/** JoinGroup: waits for the rebalance. */
export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: JoinGroup.request.apiKey,
  async handle(request, ctx) {
    try {
      const result = await ctx.broker.coordinator.joinGroup({
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        clientId: ctx.clientId,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
        protocolType: request.protocolType,
        protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      });
      rememberHost(ctx, request.groupId, result.memberId);
      return {
        throttleTimeMs: 0,
        errorCode: E.NONE,
        generationId: result.generationId,
        protocolType: request.protocolType,
        protocolName: result.protocolName,
        leader: result.leaderId,
        memberId: result.memberId,
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
      };
    } catch (error) {
      return failed(request, kafkaErrorCodeOf(error), ctx.apiVersion);
    }
  },
  errorResponse: (request, errorCode, ctx) => failed(request, errorCode, ctx.apiVersion),
});

/** Records where the member joined from; members no longer in the group are forgotten. */
function rememberHost(ctx: RequestContext, groupId: string, memberId: string): void {
  const previous = ctx.broker.memberHosts.get(groupId);
  const hosts = new Map<string, string>();
  for (const m of ctx.broker.coordinator.describeGroup(groupId).members) {
    const host = previous?.get(m.memberId);
    if (host !== undefined) hosts.set(m.memberId, host);
  }
  hosts.set(memberId, ctx.clientHost);
  ctx.broker.memberHosts.set(groupId, hosts);
}

function failed(request: JoinGroupRequest, errorCode: number, version: number): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: version >= 7 ? null : '',
    leader: '',
    memberId: request.memberId,
    members: [],
  };
}
