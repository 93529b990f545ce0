/**
 * DeleteGroups (api key 42): deletes empty groups, with a result per group.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const DeleteGroups = api([42, 'DeleteGroups', '0-2', '2+'],
  [
    field('groupsNames', array('string'), '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('results', array(struct(
      field('groupId', 'string', '0+'),
      field('errorCode', 'int16', '0+'),
    )), '0+'),
  ],
);
