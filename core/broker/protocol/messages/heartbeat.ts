/**
 * Heartbeat (api key 12): a member keeps its session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
 * v3 adds the group instance id.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, field } from '../message-spec.ts';

export const Heartbeat = api([12, 'Heartbeat', '0-4', '4+'],
  [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '0+'),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
  ],
);
