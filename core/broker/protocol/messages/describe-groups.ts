/**
 * DescribeGroups (api key 15): state, protocol and members (with metadata and assignment) of groups.
 * v3 adds authorized operations, v4 the group instance id.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const DescribeGroups = api([15, 'DescribeGroups', '0-5', '5+'],
  [
    field('groups', array('string'), '0+'),
    field('includeAuthorizedOperations', 'bool', '3+'),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('groups', array(struct(
      field('errorCode', 'int16', '0+'),
      field('groupId', 'string', '0+'),
      field('groupState', 'string', '0+'),
      field('protocolType', 'string', '0+'),
      field('protocolData', 'string', '0+'),
      field('members', array(struct(
        field('memberId', 'string', '0+'),
        field('groupInstanceId', 'string', '4+', { nullable: '4+', default: null }),
        field('clientId', 'string', '0+'),
        field('clientHost', 'string', '0+'),
        field('memberMetadata', 'bytes', '0+'),
        field('memberAssignment', 'bytes', '0+'),
      )), '0+'),
      field('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
    )), '0+'),
  ],
);
