/**
 * Fetch (api key 1): record batches from a fetch offset per partition, with max wait and min bytes
 * (long poll). v4 adds the isolation level and aborted transactions, v7 fetch sessions (KIP-227), v11 the
 * rack id, v12 the tagged fields (cluster id, diverging epoch, current leader, snapshot id), and v13 names
 * topics by topic id instead of by name.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const Fetch = api([1, 'Fetch', '0-13', '12+'],
  [
    field('clusterId', 'string', '12+', { nullable: '12+', tagged: [0, '12+'], default: null }),
    field('replicaId', 'int32', '0-14', { default: -1 }),
    field('maxWaitMs', 'int32', '0+'),
    field('minBytes', 'int32', '0+'),
    field('maxBytes', 'int32', '3+', { default: 2147483647 }),
    field('isolationLevel', 'int8', '4+'),
    field('sessionId', 'int32', '7+'),
    field('sessionEpoch', 'int32', '7+', { default: -1 }),
    field('topics', array(struct(
      field('topic', 'string', '0-12'),
      field('topicId', 'uuid', '13+'),
      field('partitions', array(struct(
        field('partition', 'int32', '0+'),
        field('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
        field('fetchOffset', 'int64', '0+'),
        field('lastFetchedEpoch', 'int32', '12+', { default: -1 }),
        field('logStartOffset', 'int64', '5+', { default: -1 }),
        field('partitionMaxBytes', 'int32', '0+'),
      )), '0+'),
    )), '0+'),
    field('forgottenTopicsData', array(struct(
      field('topic', 'string', '7-12'),
      field('topicId', 'uuid', '13+'),
      field('partitions', array('int32'), '7+'),
    )), '7+'),
    field('rackId', 'string', '11+'),
  ],
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '7+'),
    field('sessionId', 'int32', '7+'),
    field('responses', array(struct(
      field('topic', 'string', '0-12'),
      field('topicId', 'uuid', '13+'),
      field('partitions', array(struct(
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
        field('highWatermark', 'int64', '0+'),
        field('lastStableOffset', 'int64', '4+', { default: -1 }),
        field('logStartOffset', 'int64', '5+', { default: -1 }),
        field('divergingEpoch', struct(
          field('epoch', 'int32', '12+', { default: -1 }),
          field('endOffset', 'int64', '12+', { default: -1 }),
        ), '12+', { tagged: [0, '12+'] }),
        field('currentLeader', struct(
          field('leaderId', 'int32', '12+', { default: -1 }),
          field('leaderEpoch', 'int32', '12+', { default: -1 }),
        ), '12+', { tagged: [1, '12+'] }),
        field('snapshotId', struct(
          field('endOffset', 'int64', '0+', { default: -1 }),
          field('epoch', 'int32', '0+', { default: -1 }),
        ), '12+', { tagged: [2, '12+'] }),
        field('abortedTransactions', array(struct(
          field('producerId', 'int64', '4+'),
          field('firstOffset', 'int64', '4+'),
        )), '4+', { nullable: '4+' }),
        field('preferredReadReplica', 'int32', '11+', { default: -1 }),
        field('records', 'records', '0+', { nullable: '0+' }),
      )), '0+'),
    )), '0+'),
  ],
);
