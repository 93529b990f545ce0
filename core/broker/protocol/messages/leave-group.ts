/**
 * LeaveGroup (api key 13): members leave a group. v0-2 leave one member by id; v3 leaves a batch of
 * members (with group instance ids) and answers per member.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const LeaveGroup = api([13, 'LeaveGroup', '0-4', '4+'],
  [
    field('groupId', 'string', '0+'),
    field('memberId', 'string', '0-2'),
    field('members', array(struct(
      field('memberId', 'string', '3+'),
      field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    )), '3+'),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    field('members', array(struct(
      field('memberId', 'string', '3+'),
      field('groupInstanceId', 'string', '3+', { nullable: '3+' }),
      field('errorCode', 'int16', '3+'),
    )), '3+'),
  ],
);
