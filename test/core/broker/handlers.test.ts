import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { KAFKA_ERROR_CODES as E } from '../../../core/broker/protocol/error-codes.ts';
import { ZERO_UUID } from '../../../core/broker/protocol/message-spec.ts';
import { encodeRecordBatch } from '../../../core/log/record-batch.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';

type Obj = Record<string, any>;

const SUBSCRIPTION = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0]); // version 0, topics ['t'], no user data

describe('core/broker/handlers (raw requests at the newest versions)', () => {
  let tb: TestBroker;
  let c: RawClient;
  beforeEach(async () => {
    tb = await startTestBroker();
    c = await RawClient.connect(tb.port);
  });
  afterEach(async () => {
    c.close();
    await tb.cleanup();
  });

  async function create(name: string, numPartitions = 1, configs: { name: string; value: string | null }[] = [], validateOnly = false): Promise<Obj> {
    const body = await c.request(API_KEYS.CreateTopics, 7, {
      topics: [{ name, numPartitions, replicationFactor: -1, assignments: [], configs }],
      timeoutMs: 1000,
      validateOnly,
    });
    return (body.topics as Obj[])[0]!;
  }

  async function produce(topic: string, partition: number, values: string[], timestamp = 1_000): Promise<void> {
    const records = encodeRecordBatch(values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: timestamp + i })));
    const body = await c.request(API_KEYS.Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    expect(((body.responses as Obj[])[0]!.partitionResponses[0] as Obj).errorCode).toBe(E.NONE);
  }

  it('Metadata v12: topic ids, lookup by id, no auto-creation when not allowed', async () => {
    const created = await create('meta', 2);
    expect(created.topicId).not.toBe(ZERO_UUID);
    const byName = await c.request(API_KEYS.Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'meta' }], allowAutoTopicCreation: false });
    expect(byName).toMatchObject({ controllerId: 0, clusterId: expect.any(String) });
    const topic = (byName.topics as Obj[])[0]!;
    expect(topic).toMatchObject({ errorCode: E.NONE, name: 'meta', topicId: created.topicId, isInternal: false });
    expect((topic.partitions as Obj[]).map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])).toEqual([
      [0, 0, [0], [0]],
      [1, 0, [0], [0]],
    ]);
    const byId = await c.request(API_KEYS.Metadata, 12, { topics: [{ topicId: created.topicId, name: null }], allowAutoTopicCreation: false });
    expect((byId.topics as Obj[])[0]).toMatchObject({ name: 'meta', topicId: created.topicId });
    const missing = await c.request(API_KEYS.Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'nope' }], allowAutoTopicCreation: false });
    expect((missing.topics as Obj[])[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
    const auto = await c.request(API_KEYS.Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'auto' }], allowAutoTopicCreation: true });
    expect((auto.topics as Obj[])[0]).toMatchObject({ errorCode: E.NONE, name: 'auto' });
    const invalid = await c.request(API_KEYS.Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'bad name!' }], allowAutoTopicCreation: true });
    expect((invalid.topics as Obj[])[0]!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION);
  });

  it('Fetch v13 names topics by id; an unknown id is UNKNOWN_TOPIC_ID', async () => {
    const { topicId } = await create('byid');
    await produce('byid', 0, ['a', 'b']);
    const fetch = (id: string) =>
      c.request(API_KEYS.Fetch, 13, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
    const ok = await fetch(topicId);
    const topic = (ok.responses as Obj[])[0]!;
    expect(topic.topicId).toBe(topicId);
    expect(topic.partitions[0]).toMatchObject({ errorCode: E.NONE, highWatermark: 2, logStartOffset: 0 });
    const unknown = await fetch('0f0e0d0c-0b0a-0908-0706-050403020100');
    expect((unknown.responses as Obj[])[0]!.partitions[0].errorCode).toBe(E.UNKNOWN_TOPIC_ID);
  });

  it('Fetch gives the first partition at least one batch and respects the response maxBytes for the rest', async () => {
    await create('sized', 2);
    await produce('sized', 0, ['x'.repeat(500)]);
    await produce('sized', 1, ['y'.repeat(500)]);
    const body = await c.request(API_KEYS.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 10,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'sized', partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const [p0, p1] = (body.responses as Obj[])[0]!.partitions as Obj[];
    expect(p0!.records.length).toBeGreaterThan(500);
    expect(p1!.records.length).toBe(0);
    expect(p1!.highWatermark).toBe(1);
  });

  it('Fetch of an offset past the end is OFFSET_OUT_OF_RANGE with the partition offsets', async () => {
    await create('range');
    await produce('range', 0, ['a']);
    const body = await c.request(API_KEYS.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'range', partitions: [{ partition: 0, fetchOffset: 5, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    expect((body.responses as Obj[])[0]!.partitions[0]).toMatchObject({ errorCode: E.OFFSET_OUT_OF_RANGE, highWatermark: 1, logStartOffset: 0 });
  });

  it('ListOffsets v7: earliest, latest, by timestamp and max timestamp', async () => {
    await create('times');
    await produce('times', 0, ['a', 'b', 'c'], 1_000); // timestamps 1000, 1001, 1002
    await produce('times', 0, ['d'], 500);
    const body = await c.request(API_KEYS.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 'times', partitions: [-2, -1, -3, 1_001, 5_000].map((timestamp) => ({ partitionIndex: 0, currentLeaderEpoch: -1, timestamp })) }],
    });
    const results = ((body.topics as Obj[])[0]!.partitions as Obj[]).map((p) => [p.errorCode, p.offset, p.timestamp]);
    expect(results).toEqual([
      [E.NONE, 0, -1],
      [E.NONE, 4, -1],
      [E.NONE, 2, 1_002],
      [E.NONE, 1, 1_001],
      [E.NONE, -1, -1],
    ]);
  });

  it('FindCoordinator v4 answers every batched key with this broker; v0 the single key', async () => {
    const v4 = await c.request(API_KEYS.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] });
    expect(v4.coordinators).toEqual([
      { key: 'g1', nodeId: 0, host: '127.0.0.1', port: tb.port, errorCode: E.NONE, errorMessage: null },
      { key: 'g2', nodeId: 0, host: '127.0.0.1', port: tb.port, errorCode: E.NONE, errorMessage: null },
    ]);
    const v0 = await c.request(API_KEYS.FindCoordinator, 0, { key: 'g1' });
    expect(v0).toMatchObject({ errorCode: E.NONE, nodeId: 0, host: '127.0.0.1', port: tb.port });
    const txn = await c.request(API_KEYS.FindCoordinator, 3, { key: 'tx', keyType: 1 });
    expect(txn).toMatchObject({ errorCode: E.NONE, nodeId: 0, host: '127.0.0.1', port: tb.port });
    const share = await c.request(API_KEYS.FindCoordinator, 3, { key: 'sg', keyType: 2 });
    expect(share.errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
  });

  it('a group round trip at the newest versions: JoinGroup v7, SyncGroup v5, Heartbeat v4, OffsetCommit v8, OffsetFetch v8 (two groups), DescribeGroups v5, ListGroups v4, LeaveGroup v4, DeleteGroups v2', async () => {
    await create('t', 2);
    const joined = await c.request(API_KEYS.JoinGroup, 7, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: SUBSCRIPTION }],
    });
    expect(joined).toMatchObject({ errorCode: E.NONE, generationId: 1, protocolType: 'consumer', protocolName: 'range' });
    const memberId = joined.memberId as string;
    expect(joined.leader).toBe(memberId);
    expect((joined.members as Obj[]).map((m) => m.memberId)).toEqual([memberId]);
    const assignment = Buffer.from('my-assignment');
    const synced = await c.request(API_KEYS.SyncGroup, 5, {
      groupId: 'g',
      generationId: 1,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId, assignment }],
    });
    expect(synced).toMatchObject({ errorCode: E.NONE, protocolType: 'consumer', protocolName: 'range' });
    expect((synced.assignment as Buffer).equals(assignment)).toBe(true);
    expect((await c.request(API_KEYS.Heartbeat, 4, { groupId: 'g', generationId: 1, memberId, groupInstanceId: null })).errorCode).toBe(E.NONE);
    expect((await c.request(API_KEYS.Heartbeat, 4, { groupId: 'g', generationId: 7, memberId, groupInstanceId: null })).errorCode).toBe(
      E.ILLEGAL_GENERATION,
    );

    const committed = await c.request(API_KEYS.OffsetCommit, 8, {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId,
      groupInstanceId: null,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: 'm' }, { partitionIndex: 9, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
        { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
      ],
    });
    expect((committed.topics as Obj[]).map((t) => (t.partitions as Obj[]).map((p) => p.errorCode))).toEqual([
      [E.NONE, E.UNKNOWN_TOPIC_OR_PARTITION],
      [E.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const stale = await c.request(API_KEYS.OffsetCommit, 8, {
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect((stale.topics as Obj[])[0]!.partitions[0].errorCode).toBe(E.ILLEGAL_GENERATION);

    const fetched = await c.request(API_KEYS.OffsetFetch, 8, {
      groups: [
        { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
        { groupId: 'other', topics: null },
      ],
      requireStable: true,
    });
    expect(fetched.groups).toEqual([
      {
        groupId: 'g',
        errorCode: E.NONE,
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, metadata: 'm', errorCode: E.NONE },
              { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
            ],
          },
        ],
      },
      { groupId: 'other', errorCode: E.NONE, topics: [] },
    ]);
    const all = await c.request(API_KEYS.OffsetFetch, 7, { groupId: 'g', topics: null, requireStable: false });
    expect((all.topics as Obj[]).map((t) => [t.name, (t.partitions as Obj[]).map((p) => p.committedOffset)])).toEqual([['t', [5]]]);

    const described = await c.request(API_KEYS.DescribeGroups, 5, { groups: ['g', 'unknown'], includeAuthorizedOperations: false });
    const [g, unknown] = described.groups as Obj[];
    expect(g).toMatchObject({ errorCode: E.NONE, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(g!.members[0]).toMatchObject({ memberId, clientId: 'raw-client', clientHost: '/127.0.0.1' });
    expect(unknown).toMatchObject({ errorCode: E.NONE, groupState: 'Dead', members: [] });
    const listed = await c.request(API_KEYS.ListGroups, 4, { statesFilter: ['stable'] });
    expect(listed.groups).toEqual([{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }]);

    const notEmpty = await c.request(API_KEYS.DeleteGroups, 2, { groupsNames: ['g'] });
    expect((notEmpty.results as Obj[])[0]!.errorCode).toBe(E.NON_EMPTY_GROUP);
    const left = await c.request(API_KEYS.LeaveGroup, 4, { groupId: 'g', members: [{ memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }] });
    expect((left.members as Obj[]).map((m) => m.errorCode)).toEqual([E.NONE, E.UNKNOWN_MEMBER_ID]);
    const deleted = await c.request(API_KEYS.DeleteGroups, 2, { groupsNames: ['g', 'never'] });
    expect((deleted.results as Obj[]).map((r) => r.errorCode)).toEqual([E.NONE, E.GROUP_ID_NOT_FOUND]);
  });

  it('CreateTopics v7: validateOnly creates nothing, configs (ignored ones too), replication factor, duplicates', async () => {
    const dry = await create('dry', 3, [{ name: 'retention.ms', value: '1000' }], true);
    expect(dry).toMatchObject({ errorCode: E.NONE, numPartitions: 3, replicationFactor: 1 });
    expect((await c.request(API_KEYS.Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'dry' }], allowAutoTopicCreation: false })).topics).toMatchObject([
      { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    const real = await create('real', -1, [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.insync.replicas', value: '2' },
    ]);
    expect(real).toMatchObject({ errorCode: E.NONE, numPartitions: 1, replicationFactor: 1 });
    expect((real.configs as Obj[]).find((e) => e.name === 'cleanup.policy')).toMatchObject({ value: 'compact', configSource: 1 });
    expect((await create('real')).errorCode).toBe(E.TOPIC_ALREADY_EXISTS);
    expect((await create('badcfg', 1, [{ name: 'no.such.config', value: '1' }])).errorCode).toBe(E.INVALID_CONFIG);
    expect((await create('badval', 1, [{ name: 'retention.ms', value: 'soon' }])).errorCode).toBe(E.INVALID_CONFIG);
    expect((await create('zero', 0)).errorCode).toBe(E.INVALID_PARTITIONS);
    const rf = await c.request(API_KEYS.CreateTopics, 7, {
      topics: [
        { name: 'rf3', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] },
        { name: 'dup', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'dup', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect((rf.topics as Obj[]).map((t) => t.errorCode)).toEqual([E.INVALID_REPLICATION_FACTOR, E.INVALID_REQUEST, E.INVALID_REQUEST]);
  });

  it('DeleteTopics v6 by name and by id; CreatePartitions v3; DeleteRecords v2', async () => {
    const a = await create('del-a');
    await create('del-b');
    // A standalone commit creates the internal __consumer_offsets topic.
    const commit = await c.request(API_KEYS.OffsetCommit, 8, {
      groupId: 'standalone',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'del-a', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect((commit.topics as Obj[])[0]!.partitions[0].errorCode).toBe(E.NONE);
    const deleted = await c.request(API_KEYS.DeleteTopics, 6, {
      topics: [
        { name: null, topicId: a.topicId },
        { name: 'del-b', topicId: ZERO_UUID },
        { name: null, topicId: '0f0e0d0c-0b0a-0908-0706-050403020100' },
        { name: '__consumer_offsets', topicId: ZERO_UUID },
      ],
      timeoutMs: 1000,
    });
    expect((deleted.responses as Obj[]).map((r) => [r.name, r.errorCode])).toEqual([
      ['del-a', E.NONE],
      ['del-b', E.NONE],
      [null, E.UNKNOWN_TOPIC_ID],
      ['__consumer_offsets', E.INVALID_REQUEST],
    ]);

    await create('grow', 1);
    const grown = await c.request(API_KEYS.CreatePartitions, 3, {
      topics: [
        { name: 'grow', count: 3, assignments: null },
        { name: 'missing', count: 3, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect((grown.results as Obj[]).map((r) => r.errorCode)).toEqual([E.NONE, E.UNKNOWN_TOPIC_OR_PARTITION]);
    const shrink = await c.request(API_KEYS.CreatePartitions, 3, { topics: [{ name: 'grow', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: true });
    expect((shrink.results as Obj[])[0]!.errorCode).toBe(E.INVALID_PARTITIONS);

    await produce('grow', 2, ['a', 'b', 'c']);
    const trimmed = await c.request(API_KEYS.DeleteRecords, 2, {
      topics: [{ name: 'grow', partitions: [{ partitionIndex: 2, offset: 2 }, { partitionIndex: 1, offset: 5 }] }],
      timeoutMs: 1000,
    });
    expect((trimmed.topics as Obj[])[0]!.partitions).toEqual([
      { partitionIndex: 2, lowWatermark: 2, errorCode: E.NONE },
      { partitionIndex: 1, lowWatermark: -1, errorCode: E.OFFSET_OUT_OF_RANGE },
    ]);
  });

  it('DescribeConfigs v4 (topic and broker) and AlterConfigs v2 (replaces the set)', async () => {
    await create('cfg', 1, [{ name: 'retention.ms', value: '1000' }]);
    const described = await c.request(API_KEYS.DescribeConfigs, 4, {
      resources: [
        { resourceType: 2, resourceName: 'cfg', configurationKeys: ['retention.ms', 'cleanup.policy'] },
        { resourceType: 4, resourceName: '0', configurationKeys: null },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const [topic, broker, missing] = described.results as Obj[];
    expect((topic!.configs as Obj[]).map((e) => [e.name, e.value, e.configSource, e.readOnly])).toEqual([
      ['cleanup.policy', 'delete', 5, false],
      ['retention.ms', '1000', 1, false],
    ]);
    expect((broker!.configs as Obj[]).find((e) => e.name === 'advertised.listeners')).toMatchObject({
      value: `PLAINTEXT://127.0.0.1:${tb.port}`,
      readOnly: true,
    });
    expect(missing!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);

    const altered = await c.request(API_KEYS.AlterConfigs, 2, {
      resources: [
        { resourceType: 2, resourceName: 'cfg', configs: [{ name: 'segment.ms', value: '60000' }] },
        { resourceType: 4, resourceName: '0', configs: [{ name: 'num.partitions', value: '3' }] },
      ],
      validateOnly: false,
    });
    expect((altered.responses as Obj[]).map((r) => r.errorCode)).toEqual([E.NONE, E.INVALID_REQUEST]);
    const after = await c.request(API_KEYS.DescribeConfigs, 1, {
      resources: [{ resourceType: 2, resourceName: 'cfg', configurationKeys: ['retention.ms', 'segment.ms'] }],
      includeSynonyms: false,
    });
    expect(((after.results as Obj[])[0]!.configs as Obj[]).map((e) => [e.name, e.value])).toEqual([
      ['retention.ms', '604800000'],
      ['segment.ms', '60000'],
    ]);
  });

  it('InitProducerId v4 hands out distinct producer ids with epoch 0; a transactional id gets its own', async () => {
    const first = await c.request(API_KEYS.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 });
    const second = await c.request(API_KEYS.InitProducerId, 0, { transactionalId: null, transactionTimeoutMs: 1000 });
    expect(first).toMatchObject({ errorCode: E.NONE, producerEpoch: 0 });
    expect(second).toMatchObject({ errorCode: E.NONE, producerEpoch: 0 });
    expect(second.producerId).not.toBe(first.producerId);
    const txn = await c.request(API_KEYS.InitProducerId, 4, { transactionalId: 'tx', transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 });
    expect(txn.errorCode).toBe(E.NONE);
    expect([first.producerId, second.producerId]).not.toContain(txn.producerId);
  });
});
