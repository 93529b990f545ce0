/**
 * CreateTopics (api key 19): creates topics with partition counts, assignments and configs. v1 adds
 * validateOnly and error messages, v5 returns the resulting configs and counts, v7 the topic id.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const CreateTopics = api([19, 'CreateTopics', '0-7', '5+'],
  [
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('numPartitions', 'int32', '0+'),
      field('replicationFactor', 'int16', '0+'),
      field('assignments', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('brokerIds', array('int32'), '0+'),
      )), '0+'),
      field('configs', array(struct(
        field('name', 'string', '0+'),
        field('value', 'string', '0+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
    field('timeoutMs', 'int32', '0+', { default: 60000 }),
    field('validateOnly', 'bool', '1+'),
  ],
  [
    field('throttleTimeMs', 'int32', '2+'),
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('topicId', 'uuid', '7+'),
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '1+', { nullable: '0+' }),
      field('topicConfigErrorCode', 'int16', '5+', { tagged: [0, '5+'] }),
      field('numPartitions', 'int32', '5+', { default: -1 }),
      field('replicationFactor', 'int16', '5+', { default: -1 }),
      field('configs', array(struct(
        field('name', 'string', '5+'),
        field('value', 'string', '5+', { nullable: '5+' }),
        field('readOnly', 'bool', '5+'),
        field('configSource', 'int8', '5+', { default: -1 }),
        field('isSensitive', 'bool', '5+'),
      )), '5+', { nullable: '5+' }),
    )), '0+'),
  ],
);
