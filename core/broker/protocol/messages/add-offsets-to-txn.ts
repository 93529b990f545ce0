/**
 * AddOffsetsToTxn (api key 25): a transactional producer adds a consumer group to its open transaction;
 * TxnOffsetCommit then holds that group's offsets until the transaction ends. v1 is v0; v2 may answer
 * PRODUCER_FENCED; v3 is flexible.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, field } from '../message-spec.ts';

export const AddOffsetsToTxn = api([25, 'AddOffsetsToTxn', '0-3', '3+'],
  [
    field('transactionalId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    field('groupId', 'string', '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('errorCode', 'int16', '0+'),
  ],
);
