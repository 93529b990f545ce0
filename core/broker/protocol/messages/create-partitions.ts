/**
 * CreatePartitions (api key 37): raises the partition count of topics.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const CreatePartitions = api([37, 'CreatePartitions', '0-3', '2+'],
  [
    field('topics', array(struct(
      field('name', 'string', '0+'),
      field('count', 'int32', '0+'),
      field('assignments', array(struct(
        field('brokerIds', array('int32'), '0+'),
      )), '0+', { nullable: '0+' }),
    )), '0+'),
    field('timeoutMs', 'int32', '0+'),
    field('validateOnly', 'bool', '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('results', array(struct(
      field('name', 'string', '0+'),
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
    )), '0+'),
  ],
);
