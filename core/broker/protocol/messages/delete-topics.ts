/**
 * DeleteTopics (api key 20): deletes topics by name (v0-5 `topicNames`); v6 names them by name or
 * topic id (`topics[]`).
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const DeleteTopics = api([20, 'DeleteTopics', '0-6', '4+'],
  [
    field('topics', array(struct(
      field('name', 'string', '6+', { nullable: '6+', default: null }),
      field('topicId', 'uuid', '6+'),
    )), '6+'),
    field('topicNames', array('string'), '0-5'),
    field('timeoutMs', 'int32', '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('responses', array(struct(
      field('name', 'string', '0+', { nullable: '6+' }),
      field('topicId', 'uuid', '6+'),
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '5+', { nullable: '5+', default: null }),
    )), '0+'),
  ],
);
