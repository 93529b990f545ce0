/**
 * DescribeConfigs (api key 32): configs of topics (resource type 2) and brokers (4). v1 adds synonyms,
 * v3 config types and documentation.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const DescribeConfigs = api([32, 'DescribeConfigs', '0-4', '4+'],
  [
    field('resources', array(struct(
      field('resourceType', 'int8', '0+'),
      field('resourceName', 'string', '0+'),
      field('configurationKeys', array('string'), '0+', { nullable: '0+' }),
    )), '0+'),
    field('includeSynonyms', 'bool', '1+'),
    field('includeDocumentation', 'bool', '3+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('results', array(struct(
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '0+', { nullable: '0+' }),
      field('resourceType', 'int8', '0+'),
      field('resourceName', 'string', '0+'),
      field('configs', array(struct(
        field('name', 'string', '0+'),
        field('value', 'string', '0+', { nullable: '0+' }),
        field('readOnly', 'bool', '0+'),
        field('isDefault', 'bool', '0'),
        field('configSource', 'int8', '1+', { default: -1 }),
        field('isSensitive', 'bool', '0+'),
        field('synonyms', array(struct(
          field('name', 'string', '1+'),
          field('value', 'string', '1+', { nullable: '0+' }),
          field('source', 'int8', '1+'),
        )), '1+'),
        field('configType', 'int8', '3+'),
        field('documentation', 'string', '3+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
  ],
);
