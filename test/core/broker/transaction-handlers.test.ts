/**
 * The broker's transaction APIs with raw requests (InitProducerId with a transactional id, FindCoordinator
 * key type 1, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn), and what transactions change
 * in Produce, Fetch and ListOffsets: the last stable offset, aborted transactions, read_committed long polls.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { KAFKA_ERROR_CODES as E } from '../../../core/broker/protocol/error-codes.ts';
import { encodeTxnMarkerBatch } from '../../../core/log/control-batch.ts';
import { encodeRecordBatch, forEachBatch } from '../../../core/log/record-batch.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';

type Obj = Record<string, any>;

describe('core/broker/handlers (transactions)', () => {
  let tb: TestBroker;
  let c: RawClient;
  beforeEach(async () => {
    tb = await startTestBroker();
    c = await RawClient.connect(tb.port);
    const created = await c.request(API_KEYS.CreateTopics, 7, {
      topics: [{ name: 't', numPartitions: 2, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect((created.topics as Obj[])[0]!.errorCode).toBe(E.NONE);
  });
  afterEach(async () => {
    c.close();
    await tb.cleanup();
  });

  async function initTxn(tid: string, version = 4, timeoutMs = 60_000): Promise<{ producerId: number; producerEpoch: number }> {
    const body = await c.request(API_KEYS.InitProducerId, version, { transactionalId: tid, transactionTimeoutMs: timeoutMs, producerId: -1, producerEpoch: -1 });
    expect(body.errorCode).toBe(E.NONE);
    return { producerId: body.producerId as number, producerEpoch: body.producerEpoch as number };
  }

  async function addPartitions(tid: string, p: { producerId: number; producerEpoch: number }, partitions: number[], version = 3, topic = 't'): Promise<number[]> {
    const body = await c.request(API_KEYS.AddPartitionsToTxn, version, {
      v3AndBelowTransactionalId: tid,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions }],
    });
    return ((body.resultsByTopicV3AndBelow as Obj[])[0]!.resultsByPartition as Obj[]).map((r) => r.partitionErrorCode as number);
  }

  async function produceTxn(tid: string, p: { producerId: number; producerEpoch: number }, partition: number, values: string[], baseSequence: number): Promise<Obj> {
    const records = encodeRecordBatch(
      values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: 1_000 + i })),
      { producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence, isTransactional: true },
    );
    const body = await c.request(API_KEYS.Produce, 9, { transactionalId: tid, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: partition, records }] }] });
    return (body.responses as Obj[])[0]!.partitionResponses[0] as Obj;
  }

  async function endTxn(tid: string, p: { producerId: number; producerEpoch: number }, committed: boolean, version = 3, client = c): Promise<number> {
    const body = await client.request(API_KEYS.EndTxn, version, { transactionalId: tid, producerId: p.producerId, producerEpoch: p.producerEpoch, committed });
    return body.errorCode as number;
  }

  async function fetch(partition: number, isolationLevel: 0 | 1, fetchOffset = 0, maxWaitMs = 0): Promise<Obj> {
    const body = await c.request(API_KEYS.Fetch, 12, {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    return ((body.responses as Obj[])[0]!.partitions as Obj[])[0]!;
  }

  async function latest(partition: number, isolationLevel: 0 | 1): Promise<number> {
    const body = await c.request(API_KEYS.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: 't', partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1 }] }],
    });
    return ((body.topics as Obj[])[0]!.partitions as Obj[])[0]!.offset as number;
  }

  function batchesOf(records: Buffer | null): { baseOffset: number; isControl: boolean; count: number }[] {
    const out: { baseOffset: number; isControl: boolean; count: number }[] = [];
    if (records !== null) forEachBatch(records, (_pos, h) => out.push({ baseOffset: h.baseOffset, isControl: h.isControl, count: h.recordCount }));
    return out;
  }

  it('FindCoordinator key type 1 answers this broker, single (v3) and batched (v4)', async () => {
    const v3 = await c.request(API_KEYS.FindCoordinator, 3, { key: 'app-0', keyType: 1 });
    expect(v3).toMatchObject({ errorCode: E.NONE, nodeId: 0, port: tb.port });
    const v4 = await c.request(API_KEYS.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['a', 'b'] });
    expect((v4.coordinators as Obj[]).map((x) => [x.key, x.errorCode, x.port])).toEqual([
      ['a', E.NONE, tb.port],
      ['b', E.NONE, tb.port],
    ]);
  });

  it('a committed transaction is held back from read_committed until EndTxn, then served; LSO and ListOffsets follow', async () => {
    const p = await initTxn('tx-commit');
    expect(p.producerEpoch).toBe(0);
    expect(await addPartitions('tx-commit', p, [0])).toEqual([E.NONE]);
    expect((await produceTxn('tx-commit', p, 0, ['a', 'b', 'c'], 0)).errorCode).toBe(E.NONE);

    const open1 = await fetch(0, 1);
    expect(open1).toMatchObject({ errorCode: E.NONE, highWatermark: 3, lastStableOffset: 0, abortedTransactions: [] });
    expect(batchesOf(open1.records)).toEqual([]);
    const open0 = await fetch(0, 0);
    expect(open0).toMatchObject({ highWatermark: 3, lastStableOffset: 0, abortedTransactions: null });
    expect(batchesOf(open0.records)).toEqual([{ baseOffset: 0, isControl: false, count: 3 }]);
    expect(await latest(0, 1)).toBe(0);
    expect(await latest(0, 0)).toBe(3);

    expect(await endTxn('tx-commit', p, true)).toBe(E.NONE);
    const done = await fetch(0, 1);
    expect(done).toMatchObject({ highWatermark: 4, lastStableOffset: 4, abortedTransactions: [] });
    expect(batchesOf(done.records)).toEqual([
      { baseOffset: 0, isControl: false, count: 3 },
      { baseOffset: 3, isControl: true, count: 1 },
    ]);
    expect(await latest(0, 1)).toBe(4);
    // Repeating the decision is a retry and succeeds; the opposite one is refused.
    expect(await endTxn('tx-commit', p, true)).toBe(E.NONE);
    expect(await endTxn('tx-commit', p, false)).toBe(E.INVALID_TXN_STATE);
  });

  it('an aborted transaction is listed in abortedTransactions for read_committed fetches that cover it', async () => {
    const p = await initTxn('tx-abort', 0);
    expect(await addPartitions('tx-abort', p, [1], 0)).toEqual([E.NONE]);
    expect((await produceTxn('tx-abort', p, 1, ['x', 'y'], 0)).errorCode).toBe(E.NONE);
    expect(await endTxn('tx-abort', p, false, 0)).toBe(E.NONE);
    // A second, committed transaction after the aborted one.
    expect(await addPartitions('tx-abort', p, [1], 0)).toEqual([E.NONE]);
    expect((await produceTxn('tx-abort', p, 1, ['z'], 2)).errorCode).toBe(E.NONE);
    expect(await endTxn('tx-abort', p, true, 0)).toBe(E.NONE);

    const all = await fetch(1, 1);
    expect(all).toMatchObject({ highWatermark: 5, lastStableOffset: 5 });
    expect(all.abortedTransactions).toEqual([{ producerId: p.producerId, firstOffset: 0 }]);
    expect(batchesOf(all.records).map((b) => [b.baseOffset, b.isControl])).toEqual([
      [0, false],
      [2, true],
      [3, false],
      [4, true],
    ]);
    // Reading from past the aborted transaction does not list it.
    expect((await fetch(1, 1, 3)).abortedTransactions).toEqual([]);
  });

  it('a read_committed long poll wakes when a commit moves the last stable offset', async () => {
    const p = await initTxn('tx-wake');
    expect(await addPartitions('tx-wake', p, [0])).toEqual([E.NONE]);
    expect((await produceTxn('tx-wake', p, 0, ['a'], 0)).errorCode).toBe(E.NONE);
    const started = Date.now();
    const polling = fetch(0, 1, 0, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    const other = await RawClient.connect(tb.port);
    try {
      expect(await endTxn('tx-wake', p, true, 3, other)).toBe(E.NONE);
    } finally {
      other.close();
    }
    const woke = await polling;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(woke.lastStableOffset).toBe(2);
    expect(batchesOf(woke.records)[0]).toEqual({ baseOffset: 0, isControl: false, count: 1 });
  });

  it('a second InitProducerId fences the first producer: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before', async () => {
    const first = await initTxn('tx-fence');
    expect(await addPartitions('tx-fence', first, [0])).toEqual([E.NONE]);
    expect((await produceTxn('tx-fence', first, 0, ['old'], 0)).errorCode).toBe(E.NONE);
    const second = await initTxn('tx-fence');
    expect(second.producerId).toBe(first.producerId);
    expect(second.producerEpoch).toBeGreaterThan(first.producerEpoch);
    expect(await endTxn('tx-fence', first, true, 3)).toBe(E.PRODUCER_FENCED);
    expect(await endTxn('tx-fence', first, true, 1)).toBe(E.INVALID_PRODUCER_EPOCH);
    expect(await addPartitions('tx-fence', first, [1], 2)).toEqual([E.PRODUCER_FENCED]);
    expect(await addPartitions('tx-fence', first, [1], 1)).toEqual([E.INVALID_PRODUCER_EPOCH]);
    // The fenced producer's open transaction was aborted, and its writes are refused.
    expect((await produceTxn('tx-fence', first, 0, ['late'], 1)).errorCode).toBe(E.INVALID_PRODUCER_EPOCH);
    const read = await fetch(0, 1);
    expect(read.abortedTransactions).toEqual([{ producerId: first.producerId, firstOffset: 0 }]);
  });

  it('AddPartitionsToTxn: an unknown partition fails alone and nothing is attempted for the others', async () => {
    const p = await initTxn('tx-unknown');
    expect(await addPartitions('tx-unknown', p, [0, 7])).toEqual([E.OPERATION_NOT_ATTEMPTED, E.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await addPartitions('tx-unknown', p, [0], 3, 'missing')).toEqual([E.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await addPartitions('tx-unknown', { producerId: p.producerId + 1000, producerEpoch: 0 }, [0])).toEqual([E.INVALID_PRODUCER_ID_MAPPING]);
    expect(await endTxn('tx-unknown', p, true)).toBe(E.INVALID_TXN_STATE);
  });

  it('TxnOffsetCommit: offsets are committed with the transaction, checked against the group from v3 (KIP-447)', async () => {
    const p = await initTxn('tx-offsets');
    const txnCommit = async (version: number, extra: Obj = {}) => {
      const body = await c.request(API_KEYS.TxnOffsetCommit, version, {
        transactionalId: 'tx-offsets',
        groupId: 'g',
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'm' }, { partitionIndex: 9, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
        ...extra,
      });
      return ((body.topics as Obj[])[0]!.partitions as Obj[]).map((x) => x.errorCode as number);
    };
    const committed = async () => {
      const body = await c.request(API_KEYS.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }], requireStable: false });
      return ((body.topics as Obj[])[0]!.partitions as Obj[])[0]!.committedOffset as number;
    };
    // Before AddOffsetsToTxn the group is not part of the transaction.
    expect(await txnCommit(3)).toEqual([E.INVALID_TXN_STATE, E.UNKNOWN_TOPIC_OR_PARTITION]);
    const added = await c.request(API_KEYS.AddOffsetsToTxn, 3, { transactionalId: 'tx-offsets', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g' });
    expect(added.errorCode).toBe(E.NONE);
    // A member the group does not know, or a generation it is not at, is fenced.
    expect(await txnCommit(3, { memberId: 'zombie', generationId: 1 })).toEqual([E.UNKNOWN_MEMBER_ID, E.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await txnCommit(3, { generationId: 5 })).toEqual([E.ILLEGAL_GENERATION, E.UNKNOWN_TOPIC_OR_PARTITION]);
    // v0-2 carry no member: not checked.
    expect(await txnCommit(0)).toEqual([E.NONE, E.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await txnCommit(3)).toEqual([E.NONE, E.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await committed()).toBe(-1);
    expect(await endTxn('tx-offsets', p, true)).toBe(E.NONE);
    expect(await committed()).toBe(42);
  });

  it('TxnOffsetCommit v3 from a member of the group: its generation commits, an older one or another holder of its instance id is fenced', async () => {
    const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0]);
    const joined = await c.request(API_KEYS.JoinGroup, 7, {
      groupId: 'static', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: 'instance-1',
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }],
    });
    expect(joined.errorCode).toBe(E.NONE);
    const memberId = joined.memberId as string;
    const generationId = joined.generationId as number;
    const synced = await c.request(API_KEYS.SyncGroup, 5, {
      groupId: 'static', generationId, memberId, groupInstanceId: 'instance-1', protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId, assignment: Buffer.alloc(0) }],
    });
    expect(synced.errorCode).toBe(E.NONE);
    const p = await initTxn('tx-member');
    const added = await c.request(API_KEYS.AddOffsetsToTxn, 3, { transactionalId: 'tx-member', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'static' });
    expect(added.errorCode).toBe(E.NONE);
    const commit = async (extra: Obj) => {
      const body = await c.request(API_KEYS.TxnOffsetCommit, 3, {
        transactionalId: 'tx-member', groupId: 'static', producerId: p.producerId, producerEpoch: p.producerEpoch,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 11, committedLeaderEpoch: -1, committedMetadata: null }] }],
        ...extra,
      });
      return ((body.topics as Obj[])[0]!.partitions as Obj[])[0]!.errorCode as number;
    };
    expect(await commit({ memberId: 'someone-else', generationId, groupInstanceId: 'instance-1' })).toBe(E.FENCED_INSTANCE_ID);
    expect(await commit({ memberId, generationId: generationId - 1, groupInstanceId: 'instance-1' })).toBe(E.ILLEGAL_GENERATION);
    expect(await commit({ memberId, generationId, groupInstanceId: 'instance-1' })).toBe(E.NONE);
    expect(await endTxn('tx-member', p, true)).toBe(E.NONE);
    const fetched = await c.request(API_KEYS.OffsetFetch, 7, { groupId: 'static', topics: [{ name: 't', partitionIndexes: [0] }], requireStable: false });
    expect(((fetched.topics as Obj[])[0]!.partitions as Obj[])[0]!.committedOffset).toBe(11);
  });

  it('TxnOffsetCommit offsets of an aborted transaction are dropped', async () => {
    const p = await initTxn('tx-drop');
    const added = await c.request(API_KEYS.AddOffsetsToTxn, 0, { transactionalId: 'tx-drop', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g2' });
    expect(added.errorCode).toBe(E.NONE);
    const body = await c.request(API_KEYS.TxnOffsetCommit, 2, {
      transactionalId: 'tx-drop', groupId: 'g2', producerId: p.producerId, producerEpoch: p.producerEpoch,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(((body.topics as Obj[])[0]!.partitions as Obj[])[0]!.errorCode).toBe(E.NONE);
    expect(await endTxn('tx-drop', p, false, 1)).toBe(E.NONE);
    const fetched = await c.request(API_KEYS.OffsetFetch, 7, { groupId: 'g2', topics: [{ name: 't', partitionIndexes: [1] }], requireStable: false });
    expect(((fetched.topics as Obj[])[0]!.partitions as Obj[])[0]!.committedOffset).toBe(-1);
  });

  it('Produce refuses control batches from clients (INVALID_RECORD)', async () => {
    const p = await initTxn('tx-control');
    const marker = encodeTxnMarkerBatch(p.producerId, p.producerEpoch, true, 0, 1_000);
    const body = await c.request(API_KEYS.Produce, 9, { transactionalId: 'tx-control', acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: marker }] }] });
    expect(((body.responses as Obj[])[0]!.partitionResponses[0] as Obj).errorCode).toBe(E.INVALID_RECORD);
    expect((await fetch(0, 0)).highWatermark).toBe(0);
  });

  it('InitProducerId refuses a transaction timeout above the maximum (INVALID_TRANSACTION_TIMEOUT)', async () => {
    const body = await c.request(API_KEYS.InitProducerId, 4, { transactionalId: 'tx-timeout', transactionTimeoutMs: 3_600_000, producerId: -1, producerEpoch: -1 });
    expect(body.errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
  });
});
