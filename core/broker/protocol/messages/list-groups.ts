/**
 * ListGroups (api key 16): every group with its protocol type; v4 filters by state and answers it.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const ListGroups = api([16, 'ListGroups', '0-4', '3+'],
  [
    field('statesFilter', array('string'), '4+'),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    field('groups', array(struct(
      field('groupId', 'string', '0+'),
      field('protocolType', 'string', '0+'),
      field('groupState', 'string', '4+'),
    )), '0+'),
  ],
);
