/**
 * OffsetCommit (api key 8): commits a group's offsets. v1 has a per-partition commit timestamp, v2-4 a
 * retention time; v5 drops both, v7 adds the group instance id.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const OffsetCommit = api([8, 'OffsetCommit', '0-8', '8+'],
  [
    field('groupId', 'string', '0+'),
    field('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
    field('memberId', 'string', '1+'),
    field('groupInstanceId', 'string', '7+', { nullable: '7+', default: null }),
    field('retentionTimeMs', 'int64', '2-4', { default: -1 }),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('committedOffset', 'int64', '0+'),
        field('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
        field('commitTimestamp', 'int64', '1', { default: -1 }),
        field('committedMetadata', 'string', '0+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '3+'),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
      )), '0+'),
    )), '0+'),
  ],
);
