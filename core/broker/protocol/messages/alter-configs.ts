/**
 * AlterConfigs (api key 33): replaces the configs of topics and brokers.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const AlterConfigs = api([33, 'AlterConfigs', '0-2', '2+'],
  [
    field('resources', array(struct(
      field('resourceType', 'int8', '0+'),
      field('resourceName', 'string', '0+'),
      field('configs', array(struct(
        field('name', 'string', '0+'),
        field('value', 'string', '0+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
    field('validateOnly', 'bool', '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('responses', array(struct(
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '0+', { nullable: '0+' }),
      field('resourceType', 'int8', '0+'),
      field('resourceName', 'string', '0+'),
    )), '0+'),
  ],
);
