/**
 * TxnOffsetCommit (api key 28): a transactional producer sends a consumer group's offsets into its
 * transaction (committed with it, dropped if it aborts). v2 adds the committed leader epoch; v3 is
 * flexible and adds the consumer's generation, member id and instance id, so a zombie member of an older
 * generation is fenced by the group (KIP-447).
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const TxnOffsetCommit = api([28, 'TxnOffsetCommit', '0-3', '3+'],
  [
    field('transactionalId', 'string', '0+'),
    field('groupId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    field('generationId', 'int32', '3+', { default: -1 }),
    field('memberId', 'string', '3+'),
    field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('committedOffset', 'int64', '0+'),
        field('committedLeaderEpoch', 'int32', '2+', { default: -1 }),
        field('committedMetadata', 'string', '0+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
      )), '0+'),
    )), '0+'),
  ],
);
