/**
 * FindCoordinator (api key 10): the broker coordinating a group (key type 0) or transactional id (1).
 * v4 batches coordinator keys: the request carries `coordinatorKeys`, the response `coordinators[]`.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const FindCoordinator = api([10, 'FindCoordinator', '0-4', '3+'],
  [
    field('key', 'string', '0-3'),
    field('keyType', 'int8', '1+'),
    field('coordinatorKeys', array('string'), '4+'),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0-3'),
    field('errorMessage', 'string', '1-3', { nullable: '1-3' }),
    field('nodeId', 'int32', '0-3'),
    field('host', 'string', '0-3'),
    field('port', 'int32', '0-3'),
    field('coordinators', array(struct(
      field('key', 'string', '4+'),
      field('nodeId', 'int32', '4+'),
      field('host', 'string', '4+'),
      field('port', 'int32', '4+'),
      field('errorCode', 'int16', '4+'),
      field('errorMessage', 'string', '4+', { nullable: '4+' }),
    )), '4+'),
  ],
);
