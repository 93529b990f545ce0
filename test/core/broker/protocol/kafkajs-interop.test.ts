/**
 * The codec against kafkajs's own request encoders and response decoders: the same request built by
 * kafkajs and by the codec has the same bytes (after the header), kafkajs-built requests decode, and
 * responses the codec encodes are read back by kafkajs.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { API_SPECS } from '../../../../core/broker/protocol/api-registry.ts';
import { decodeMessage, encodeMessage } from '../../../../core/broker/protocol/codec.ts';
import type { MessageSpec } from '../../../../core/broker/protocol/message-spec.ts';
import { encodeRecordBatch } from '../../../../core/log/record-batch.ts';

const require = createRequire(import.meta.url);
const kafkajsRequest = (api: string, version: number) =>
  require(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`) as (args: unknown) => {
    apiKey: number;
    apiVersion: number;
    encode: () => Promise<{ buffer: Buffer }>;
  };
const kafkajsResponse = (api: string, version: number) =>
  require(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`) as {
    decode: (raw: Buffer) => Promise<Record<string, any>>;
  };

interface RequestCase {
  api: string;
  version: number;
  spec: MessageSpec;
  kafkajs: unknown;
  ours?: object;
  check?: (decoded: Record<string, any>) => void;
}

const S = API_SPECS;
const assignment = Buffer.from([0, 1, 0, 0, 0, 1, 0, 1, 't'.charCodeAt(0), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

const cases: RequestCase[] = [
  {
    api: 'metadata', version: 0, spec: S.Metadata.request,
    kafkajs: { topics: ['orders', 'payments'] },
    ours: { topics: [{ name: 'orders' }, { name: 'payments' }] },
  },
  {
    api: 'metadata', version: 5, spec: S.Metadata.request,
    kafkajs: { topics: ['orders'], allowAutoTopicCreation: false },
    ours: { topics: [{ name: 'orders' }], allowAutoTopicCreation: false },
  },
  {
    api: 'fetch', version: 4, spec: S.Fetch.request,
    kafkajs: { replicaId: -1, maxWaitTime: 5000, minBytes: 1, maxBytes: 10485760, isolationLevel: 1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1048576 }, { partition: 3, fetchOffset: '9007199254740991', maxBytes: 1 }] }] },
    ours: { replicaId: -1, maxWaitMs: 5000, minBytes: 1, maxBytes: 10485760, isolationLevel: 1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: 42, partitionMaxBytes: 1048576 }, { partition: 3, fetchOffset: 2 ** 53 - 1, partitionMaxBytes: 1 }] }] },
  },
  {
    api: 'fetch', version: 11, spec: S.Fetch.request,
    kafkajs: { replicaId: -1, maxWaitTime: 100, minBytes: 1, maxBytes: 1000, rackId: 'rack-a', sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 1, fetchOffset: '7', maxBytes: 500 }] }] },
    ours: { replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 1000, isolationLevel: 1, rackId: 'rack-a', sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 7, logStartOffset: -1, partitionMaxBytes: 500 }] }] },
  },
  {
    api: 'joinGroup', version: 2, spec: S.JoinGroup.request,
    kafkajs: { groupId: 'g', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }] },
    ours: { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: '', protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }] },
  },
  {
    api: 'offsetCommit', version: 2, spec: S.OffsetCommit.request,
    kafkajs: { groupId: 'g', groupGenerationId: 3, memberId: 'm-1', retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '100' }, { partition: 1, offset: '5', metadata: 'x' }] }] },
    ours: { groupId: 'g', generationIdOrMemberEpoch: 3, memberId: 'm-1', retentionTimeMs: -1,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 100, committedMetadata: null }, { partitionIndex: 1, committedOffset: 5, committedMetadata: 'x' }] }] },
  },
  {
    api: 'findCoordinator', version: 2, spec: S.FindCoordinator.request,
    kafkajs: { coordinatorKey: 'g', coordinatorType: 0 },
    ours: { key: 'g', keyType: 0 },
  },
  {
    api: 'heartbeat', version: 3, spec: S.Heartbeat.request,
    kafkajs: { groupId: 'g', groupGenerationId: 7, memberId: 'm', groupInstanceId: null },
    ours: { groupId: 'g', generationId: 7, memberId: 'm', groupInstanceId: null },
  },
  {
    api: 'syncGroup', version: 3, spec: S.SyncGroup.request,
    kafkajs: { groupId: 'g', generationId: 1, memberId: 'm', groupAssignment: [{ memberId: 'm', memberAssignment: assignment }] },
    ours: { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [{ memberId: 'm', assignment }] },
  },
  {
    api: 'leaveGroup', version: 3, spec: S.LeaveGroup.request,
    kafkajs: { groupId: 'g', members: [{ memberId: 'm1' }, { memberId: 'm2', groupInstanceId: 'i2' }] },
    ours: { groupId: 'g', members: [{ memberId: 'm1', groupInstanceId: null }, { memberId: 'm2', groupInstanceId: 'i2' }] },
  },
  {
    api: 'listOffsets', version: 3, spec: S.ListOffsets.request,
    kafkajs: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: '-2' }] }] },
    ours: { replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] },
  },
  {
    api: 'offsetFetch', version: 4, spec: S.OffsetFetch.request,
    kafkajs: { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 2 }] }] },
    ours: { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 2] }] },
  },
  { api: 'describeGroups', version: 2, spec: S.DescribeGroups.request, kafkajs: { groupIds: ['a', 'b'] }, ours: { groups: ['a', 'b'] } },
  { api: 'listGroups', version: 2, spec: S.ListGroups.request, kafkajs: undefined, ours: {} },
  { api: 'deleteGroups', version: 1, spec: S.DeleteGroups.request, kafkajs: ['a'], ours: { groupsNames: ['a'] } },
  {
    api: 'createTopics', version: 3, spec: S.CreateTopics.request,
    kafkajs: { timeout: 5000, validateOnly: true, topics: [{ topic: 't', numPartitions: 3, replicationFactor: 1, replicaAssignment: [], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] },
    ours: { timeoutMs: 5000, validateOnly: true, topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }] },
  },
  { api: 'deleteTopics', version: 1, spec: S.DeleteTopics.request, kafkajs: { topics: ['a', 'b'], timeout: 1000 }, ours: { topicNames: ['a', 'b'], timeoutMs: 1000 } },
  {
    api: 'createPartitions', version: 1, spec: S.CreatePartitions.request,
    // kafkajs writes an empty assignment list as a null array
    kafkajs: { topicPartitions: [{ topic: 't', count: 5 }], timeout: 1000 },
    ours: { topics: [{ name: 't', count: 5, assignments: null }], timeoutMs: 1000, validateOnly: false },
  },
  {
    api: 'deleteRecords', version: 1, spec: S.DeleteRecords.request,
    kafkajs: { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '10' }] }], timeout: 1000 },
    ours: { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 10 }] }], timeoutMs: 1000 },
  },
  {
    api: 'describeConfigs', version: 2, spec: S.DescribeConfigs.request,
    kafkajs: { resources: [{ type: 2, name: 't', configNames: ['retention.ms'] }], includeSynonyms: false },
    ours: { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }], includeSynonyms: false },
  },
  {
    api: 'alterConfigs', version: 1, spec: S.AlterConfigs.request,
    kafkajs: { resources: [{ type: 2, name: 't', configEntries: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: false },
    ours: { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: false },
  },
  {
    api: 'initProducerId', version: 1, spec: S.InitProducerId.request,
    kafkajs: { transactionalId: null, transactionTimeout: 30000 },
    ours: { transactionalId: null, transactionTimeoutMs: 30000 },
  },
  { api: 'apiVersions', version: 2, spec: S.ApiVersions.request, kafkajs: undefined, ours: {} },
  {
    api: 'initProducerId', version: 1, spec: S.InitProducerId.request,
    kafkajs: { transactionalId: 'app-0', transactionTimeout: 60000 },
    ours: { transactionalId: 'app-0', transactionTimeoutMs: 60000 },
  },
  {
    api: 'findCoordinator', version: 2, spec: S.FindCoordinator.request,
    kafkajs: { coordinatorKey: 'app-0', coordinatorType: 1 },
    ours: { key: 'app-0', keyType: 1 },
  },
  ...[0, 1].flatMap((version): RequestCase[] => [
    {
      api: 'addPartitionsToTxn', version, spec: S.AddPartitionsToTxn.request,
      kafkajs: { transactionalId: 'app-0', producerId: '7', producerEpoch: 2, topics: [{ topic: 'out', partitions: [0, 3] }, { topic: 'cl', partitions: [1] }] },
      ours: { v3AndBelowTransactionalId: 'app-0', v3AndBelowProducerId: 7, v3AndBelowProducerEpoch: 2, v3AndBelowTopics: [{ name: 'out', partitions: [0, 3] }, { name: 'cl', partitions: [1] }] },
    },
    {
      api: 'addOffsetsToTxn', version, spec: S.AddOffsetsToTxn.request,
      kafkajs: { transactionalId: 'app-0', producerId: '7', producerEpoch: 2, groupId: 'app' },
      ours: { transactionalId: 'app-0', producerId: 7, producerEpoch: 2, groupId: 'app' },
    },
    {
      api: 'endTxn', version, spec: S.EndTxn.request,
      kafkajs: { transactionalId: 'app-0', producerId: '7', producerEpoch: 2, transactionResult: true },
      ours: { transactionalId: 'app-0', producerId: 7, producerEpoch: 2, committed: true },
    },
    {
      api: 'txnOffsetCommit', version, spec: S.TxnOffsetCommit.request,
      kafkajs: { transactionalId: 'app-0', groupId: 'app', producerId: '7', producerEpoch: 2, topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '42', metadata: null }, { partition: 1, offset: '5', metadata: 'm' }] }] },
      ours: { transactionalId: 'app-0', groupId: 'app', producerId: 7, producerEpoch: 2, topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: null }, { partitionIndex: 1, committedOffset: 5, committedMetadata: 'm' }] }] },
    },
  ]),
];

describe('core/broker/protocol against kafkajs', () => {
  for (const c of cases) {
    it(`${c.api} v${c.version}: same bytes as kafkajs, and kafkajs's request decodes`, async () => {
      const request = kafkajsRequest(c.api, c.version)(c.kafkajs);
      expect(request.apiKey).toBe(c.spec.apiKey);
      expect(request.apiVersion).toBe(c.version);
      const theirs = (await request.encode()).buffer;
      if (c.ours !== undefined) {
        expect(encodeMessage(c.spec, c.version, c.ours as never).toString('hex')).toBe(theirs.toString('hex'));
      }
      const { value, bytesRead } = decodeMessage(c.spec, c.version, theirs);
      expect(bytesRead).toBe(theirs.length);
      expect(encodeMessage(c.spec, c.version, value as never).equals(theirs)).toBe(true);
    });
  }

  it('produce v3: a kafkajs idempotent gzip produce request decodes; records are a view of one v2 batch', async () => {
    const request = kafkajsRequest('produce', 3)({
      acks: -1, timeout: 30000, transactionalId: null, producerId: 7, producerEpoch: 1, compression: 1,
      topicData: [{ topic: 'orders', partitions: [{ partition: 2, firstSequence: 5,
        messages: [{ key: 'k', value: 'v1', timestamp: 1_700_000_000_000 }, { key: null, value: 'v2', timestamp: 1_700_000_000_001, headers: { h: 'x' } }] }] }],
    });
    const bytes = (await request.encode()).buffer;
    const { value } = decodeMessage(S.Produce.request, 3, bytes);
    expect(value).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
    const partition = value.topicData[0]!.partitionData[0]!;
    expect(value.topicData[0]!.name).toBe('orders');
    expect(partition.index).toBe(2);
    const records = partition.records!;
    expect(records.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(records.readInt8(16)).toBe(2); // magic
    expect(records.readInt16BE(21) & 0x07).toBe(1); // gzip
    expect(records.readInt32BE(8)).toBe(records.length - 12); // one whole batch
    expect(records.readInt32BE(53)).toBe(5); // base sequence
    expect(encodeMessage(S.Produce.request, 3, value).equals(bytes)).toBe(true);
  });

  it('produce v3 built by the codec has the bytes of kafkajs', async () => {
    const request = kafkajsRequest('produce', 3)({
      acks: 1, timeout: 1000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b', timestamp: 1 }] }] }],
    });
    const theirs = (await request.encode()).buffer;
    const batch = decodeMessage(S.Produce.request, 3, theirs).value.topicData[0]!.partitionData[0]!.records;
    const ours = encodeMessage(S.Produce.request, 3, {
      transactionalId: null, acks: 1, timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from(batch!) }] }],
    });
    expect(ours.equals(theirs)).toBe(true);
  });

  it('metadata v5 response is read by kafkajs', async () => {
    const body = encodeMessage(S.Metadata.response, 5, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'tributary', controllerId: 0,
      topics: [{ errorCode: 0, name: 'orders', isInternal: false, partitions: [
        { errorCode: 0, partitionIndex: 0, leaderId: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] },
        { errorCode: 0, partitionIndex: 1, leaderId: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] },
      ] }],
    });
    const decoded = await kafkajsResponse('metadata', 5).decode(body);
    expect(decoded.brokers).toEqual([{ nodeId: 0, host: 'localhost', port: 9092, rack: null }]);
    expect(decoded.clusterId).toBe('tributary');
    expect(decoded.topicMetadata[0].topic).toBe('orders');
    expect(decoded.topicMetadata[0].partitionMetadata.map((p: { partitionId: number }) => p.partitionId)).toEqual([0, 1]);
  });

  it('fetch v4 response with a stored batch is read by kafkajs', async () => {
    const batch = encodeRecordBatch(
      [{ key: Buffer.from('k'), value: Buffer.from('hello'), timestamp: 1_700_000_000_000 }],
      { baseOffset: 41 },
    );
    const body = encodeMessage(S.Fetch.response, 4, {
      throttleTimeMs: 0,
      responses: [{ topic: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 42, lastStableOffset: 42, abortedTransactions: [], records: batch }] }],
    });
    const decoded = await kafkajsResponse('fetch', 4).decode(body);
    const partition = decoded.responses[0].partitions[0];
    expect(partition.highWatermark).toBe('42');
    expect(partition.messages).toHaveLength(1);
    expect(partition.messages[0].offset).toBe('41');
    expect(partition.messages[0].value.toString()).toBe('hello');
  });

  it('transaction API responses (v1) are read by kafkajs, errors included', async () => {
    const added = await kafkajsResponse('addPartitionsToTxn', 1).decode(encodeMessage(S.AddPartitionsToTxn.response, 1, {
      throttleTimeMs: 0, resultsByTopicV3AndBelow: [{ name: 'out', resultsByPartition: [{ partitionIndex: 3, partitionErrorCode: 0 }] }],
    }));
    expect(added.errors).toEqual([{ topic: 'out', partitionErrors: [{ partition: 3, errorCode: 0 }] }]);
    const fenced = encodeMessage(S.AddPartitionsToTxn.response, 1, {
      throttleTimeMs: 0, resultsByTopicV3AndBelow: [{ name: 'out', resultsByPartition: [{ partitionIndex: 3, partitionErrorCode: 47 }] }],
    });
    const response = kafkajsResponse('addPartitionsToTxn', 1) as unknown as { decode: (b: Buffer) => Promise<unknown>; parse: (d: unknown) => Promise<unknown> };
    await expect(response.parse(await response.decode(fenced))).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
    for (const api of ['addOffsetsToTxn', 'endTxn'] as const) {
      const spec = api === 'endTxn' ? S.EndTxn.response : S.AddOffsetsToTxn.response;
      expect(await kafkajsResponse(api, 1).decode(encodeMessage(spec, 1, { throttleTimeMs: 0, errorCode: 51 }))).toMatchObject({ errorCode: 51 });
    }
    const offsets = await kafkajsResponse('txnOffsetCommit', 1).decode(encodeMessage(S.TxnOffsetCommit.response, 1, {
      throttleTimeMs: 0, topics: [{ name: 'in', partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
    }));
    expect(offsets.topics).toEqual([{ topic: 'in', partitions: [{ partition: 0, errorCode: 0 }] }]);
    const init = await kafkajsResponse('initProducerId', 1).decode(encodeMessage(S.InitProducerId.response, 1, {
      throttleTimeMs: 0, errorCode: 0, producerId: 7, producerEpoch: 3,
    }));
    expect(init).toMatchObject({ errorCode: 0, producerId: '7', producerEpoch: 3 });
  });

  it('produce v3, joinGroup v2 and apiVersions v2 responses are read by kafkajs', async () => {
    const produce = await kafkajsResponse('produce', 3).decode(encodeMessage(S.Produce.response, 3, {
      responses: [{ name: 'orders', partitionResponses: [{ index: 1, errorCode: 0, baseOffset: 2 ** 40, logAppendTimeMs: -1 }] }],
      throttleTimeMs: 5,
    }));
    expect(produce.topics[0].partitions[0]).toMatchObject({ partition: 1, errorCode: 0, baseOffset: String(2 ** 40) });
    expect(produce.throttleTime).toBe(5);

    const join = await kafkajsResponse('joinGroup', 2).decode(encodeMessage(S.JoinGroup.response, 2, {
      throttleTimeMs: 0, errorCode: 0, generationId: 4, protocolName: 'RoundRobinAssigner', leader: 'm1', memberId: 'm1',
      members: [{ memberId: 'm1', metadata: Buffer.from([1, 2]) }],
    }));
    expect(join).toMatchObject({ generationId: 4, groupProtocol: 'RoundRobinAssigner', leaderId: 'm1', memberId: 'm1' });
    expect(join.members[0].memberMetadata).toEqual(Buffer.from([1, 2]));

    const versions = await kafkajsResponse('apiVersions', 2).decode(encodeMessage(S.ApiVersions.response, 2, {
      errorCode: 0, apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }], throttleTimeMs: 0,
    }));
    expect(versions.apiVersions).toEqual([{ apiKey: 3, minVersion: 0, maxVersion: 12 }]);
  });
});
