/**
 * EndTxn (api key 26): a transactional producer commits or aborts its open transaction. v1 is v0; v2 may
 * answer PRODUCER_FENCED; v3 is flexible.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, field } from '../message-spec.ts';

export const EndTxn = api([26, 'EndTxn', '0-3', '3+'],
  [
    field('transactionalId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    field('committed', 'bool', '0+'),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('errorCode', 'int16', '0+'),
  ],
);
