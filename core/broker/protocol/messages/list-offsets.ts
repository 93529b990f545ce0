/**
 * ListOffsets (api key 2): the offset for a timestamp per partition (-1 latest, -2 earliest, -3 max
 * timestamp from v7). v1 answers one offset per partition, v2 adds the isolation level, v4 leader epochs.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const ListOffsets = api([2, 'ListOffsets', '0-7', '6+'],
  [
    field('replicaId', 'int32', '0+'),
    field('isolationLevel', 'int8', '2+'),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
        field('timestamp', 'int64', '0+'),
        field('maxNumOffsets', 'int32', '0', { default: 1 }),
      )), '0+'),
    )), '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '2+'),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
        field('oldStyleOffsets', array('int64'), '0'),
        field('timestamp', 'int64', '1+', { default: -1 }),
        field('offset', 'int64', '1+', { default: -1 }),
        field('leaderEpoch', 'int32', '4+', { default: -1 }),
      )), '0+'),
    )), '0+'),
  ],
);
