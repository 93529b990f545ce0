/**
 * DeleteRecords (api key 21): advances the log start offset of partitions (deletes records before it).
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const DeleteRecords = api([21, 'DeleteRecords', '0-2', '2+'],
  [
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('offset', 'int64', '0+'),
      )), '0+'),
    )), '0+'),
    field('timeoutMs', 'int32', '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('lowWatermark', 'int64', '0+'),
        field('errorCode', 'int16', '0+'),
      )), '0+'),
    )), '0+'),
  ],
);
