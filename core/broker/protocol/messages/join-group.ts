/**
 * JoinGroup (api key 11): a member joins a group with its supported protocols; the leader receives
 * every member's metadata. v1 adds the rebalance timeout, v4 MEMBER_ID_REQUIRED, v5 the group instance id,
 * v7 the protocol type and name in the response.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const JoinGroup = api([11, 'JoinGroup', '0-7', '6+'],
  [
    field('groupId', 'string', '0+'),
    field('sessionTimeoutMs', 'int32', '0+'),
    field('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
    field('protocolType', 'string', '0+'),
    field('protocols', array(struct(
      field('name', 'string', '0+'),
      field('metadata', 'bytes', '0+'),
    )), '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '2+'),
    field('errorCode', 'int16', '0+'),
    field('generationId', 'int32', '0+', { default: -1 }),
    field('protocolType', 'string', '7+', { nullable: '7+', default: null }),
    field('protocolName', 'string', '0+', { nullable: '7+' }),
    field('leader', 'string', '0+'),
    field('memberId', 'string', '0+'),
    field('members', array(struct(
      field('memberId', 'string', '0+'),
      field('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
      field('metadata', 'bytes', '0+'),
    )), '0+'),
  ],
);
