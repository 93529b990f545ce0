/**
 * Produce (api key 0): record batches per topic-partition. acks 0 gets no response; v3 adds the
 * transactional id, v5 the log start offset, v8 per-batch record errors. Records are views into the frame.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const Produce = api([0, 'Produce', '0-9', '9+'],
  [
    field('transactionalId', 'string', '3+', { nullable: '3+', default: null }),
    field('acks', 'int16', '0+'),
    field('timeoutMs', 'int32', '0+'),
    field('topicData', array(struct(
      field('name', 'string', '0+'),
      field('partitionData', array(struct(
        field('index', 'int32', '0+'),
        field('records', 'records', '0+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
  ],
  [
    field('responses', array(struct(
      field('name', 'string', '0+'),
      field('partitionResponses', array(struct(
        field('index', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
        field('baseOffset', 'int64', '0+'),
        field('logAppendTimeMs', 'int64', '2+', { default: -1 }),
        field('logStartOffset', 'int64', '5+', { default: -1 }),
        field('recordErrors', array(struct(
          field('batchIndex', 'int32', '8+'),
          field('batchIndexErrorMessage', 'string', '8+', { nullable: '8+', default: null }),
        )), '8+'),
        field('errorMessage', 'string', '8+', { nullable: '8+', default: null }),
      )), '0+'),
    )), '0+'),
    field('throttleTimeMs', 'int32', '1+'),
  ],
);
