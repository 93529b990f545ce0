/**
 * InitProducerId (api key 22): a producer id and epoch for an idempotent or transactional producer.
 * v3 lets a producer with a known id and epoch bump its epoch.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, field } from '../message-spec.ts';

export const InitProducerId = api([22, 'InitProducerId', '0-4', '2+'],
  [
    field('transactionalId', 'string', '0+', { nullable: '0+' }),
    field('transactionTimeoutMs', 'int32', '0+'),
    field('producerId', 'int64', '3+', { default: -1 }),
    field('producerEpoch', 'int16', '3+', { default: -1 }),
  ],
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('errorCode', 'int16', '0+'),
    field('producerId', 'int64', '0+', { default: -1 }),
    field('producerEpoch', 'int16', '0+'),
  ],
);
