/**
 * OffsetFetch (api key 9): a group's committed offsets. `topics` null (v2+) asks for all partitions with
 * offsets; v7 adds requireStable; v8 is the multi-group form (`groups[]` in request and response).
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const OffsetFetch = api([9, 'OffsetFetch', '0-8', '6+'],
  [
    field('groupId', 'string', '0-7'),
    field('topics', array(struct(
      field('name', 'string', '0-7'),
      field('partitionIndexes', array('int32'), '0-7'),
    )), '0-7', { nullable: '2-7' }),
    field('groups', array(struct(
      field('groupId', 'string', '8+'),
      field('topics', array(struct(
        field('name', 'string', '8+'),
        field('partitionIndexes', array('int32'), '8+'),
      )), '8+', { nullable: '8+' }),
    )), '8+'),
    field('requireStable', 'bool', '7+'),
  ],
  [
    field('throttleTimeMs', 'int32', '3+'),
    field('topics', array(struct(
      field('name', 'string', '0-7'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0-7'),
        field('committedOffset', 'int64', '0-7'),
        field('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
        field('metadata', 'string', '0-7', { nullable: '0-7' }),
        field('errorCode', 'int16', '0-7'),
      )), '0-7'),
    )), '0-7'),
    field('errorCode', 'int16', '2-7'),
    field('groups', array(struct(
      field('groupId', 'string', '8+'),
      field('topics', array(struct(
        field('name', 'string', '8+'),
        field('partitions', array(struct(
          field('partitionIndex', 'int32', '8+'),
          field('committedOffset', 'int64', '8+'),
          field('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
          field('metadata', 'string', '8+', { nullable: '8+' }),
          field('errorCode', 'int16', '8+'),
        )), '8+'),
      )), '8+'),
      field('errorCode', 'int16', '8+'),
    )), '8+'),
  ],
);
