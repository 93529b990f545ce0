/**
 * AddPartitionsToTxn (api key 24): a transactional producer adds partitions to its open transaction before
 * it writes to them. Versions 0-3 carry one transaction (v4+, broker to broker, batch several; not
 * described). v1 is v0; v2 may answer PRODUCER_FENCED; v3 is flexible.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const AddPartitionsToTxn = api([24, 'AddPartitionsToTxn', '0-3', '3+'],
  [
    field('v3AndBelowTransactionalId', 'string', '0-3'),
    field('v3AndBelowProducerId', 'int64', '0-3'),
    field('v3AndBelowProducerEpoch', 'int16', '0-3'),
    field('v3AndBelowTopics', array(struct(
      field('name', 'string', '0+'),
      field('partitions', array('int32'), '0+'),
    )), '0-3'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('resultsByTopicV3AndBelow', array(struct(
      field('name', 'string', '0+'),
      field('resultsByPartition', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('partitionErrorCode', 'int16', '0+'),
      )), '0+'),
    )), '0-3'),
  ],
);
