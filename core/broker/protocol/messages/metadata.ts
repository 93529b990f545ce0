/**
 * Metadata (api key 3): brokers, controller, topics and partitions. `topics` null (v1+) asks for all
 * topics; v4 adds allowAutoTopicCreation, v10 topic ids, and from v10 a request may name a topic by id
 * alone (name null); v12 responses may carry a null name for a topic asked by an unknown id.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const Metadata = api([3, 'Metadata', '0-12', '9+'],
  [
    field('topics', array(struct(
      field('topicId', 'uuid', '10+'),
      field('name', 'string', '0+', { nullable: '10+' }),
    )), '0+', { nullable: '1+' }),
    field('allowAutoTopicCreation', 'bool', '4+', { default: true }),
    field('includeClusterAuthorizedOperations', 'bool', '8-10'),
    field('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  [
    field('throttleTimeMs', 'int32', '3+'),
    field('brokers', array(struct(
      field('nodeId', 'int32', '0+'),
      field('host', 'string', '0+'),
      field('port', 'int32', '0+'),
      field('rack', 'string', '1+', { nullable: '1+', default: null }),
    )), '0+'),
    field('clusterId', 'string', '2+', { nullable: '2+', default: null }),
    field('controllerId', 'int32', '1+', { default: -1 }),
    field('topics', array(struct(
      field('errorCode', 'int16', '0+'),
      field('name', 'string', '0+', { nullable: '12+' }),
      field('topicId', 'uuid', '10+'),
      field('isInternal', 'bool', '1+'),
      field('partitions', array(struct(
        field('errorCode', 'int16', '0+'),
        field('partitionIndex', 'int32', '0+'),
        field('leaderId', 'int32', '0+'),
        field('leaderEpoch', 'int32', '7+', { default: -1 }),
        field('replicaNodes', array('int32'), '0+'),
        field('isrNodes', array('int32'), '0+'),
        field('offlineReplicas', array('int32'), '5+'),
      )), '0+'),
      field('topicAuthorizedOperations', 'int32', '8+', { default: -2147483648 }),
    )), '0+'),
    field('clusterAuthorizedOperations', 'int32', '8-10', { default: -2147483648 }),
  ],
);
