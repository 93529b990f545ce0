import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../core/broker/protocol/api-registry.ts';
import { KAFKA_ERROR_CODES as E } from '../../../core/broker/protocol/error-codes.ts';
import { encodeRecordBatch } from '../../../core/log/record-batch.ts';
import { RawClient } from '../../fixtures/broker-raw-client.ts';
import { startTestBroker, type TestBroker } from '../../fixtures/broker-harness.ts';

type Obj = Record<string, any>;

function batch(values: string[], timestamp = 1_000): Buffer {
  return encodeRecordBatch(values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v), timestamp: timestamp + i })));
}

function produceBody(topic: string, partition: number, records: Buffer, acks = -1): object {
  return { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

function fetchBody(topic: string, offset: number, options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {}): object {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

describe('core/broker/broker', () => {
  let tb: TestBroker;
  const clients: RawClient[] = [];
  const connect = async (): Promise<RawClient> => {
    const c = await RawClient.connect(tb.port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    tb = await startTestBroker();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await tb.cleanup();
  });

  async function createTopic(name: string, partitions = 1): Promise<void> {
    const c = await connect();
    const body = await c.request(API_KEYS.CreateTopics, 4, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect((body.topics as Obj[])[0]!.errorCode).toBe(E.NONE);
  }

  it('answers pipelined requests in order even when an earlier one waits (Fetch with maxWait, then Metadata)', async () => {
    await createTopic('slow');
    const c = await connect();
    const started = Date.now();
    const fetchId = c.send(API_KEYS.Fetch, 11, fetchBody('slow', 0, { maxWaitMs: 400 }));
    const metadataId = c.send(API_KEYS.Metadata, 1, { topics: null });
    const versionsId = c.send(API_KEYS.ApiVersions, 0, {});
    const first = await c.nextResponse(API_KEYS.Fetch, 11);
    const second = await c.nextResponse(API_KEYS.Metadata, 1);
    const third = await c.nextResponse(API_KEYS.ApiVersions, 0);
    expect([first.correlationId, second.correlationId, third.correlationId]).toEqual([fetchId, metadataId, versionsId]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect((second.body.topics as Obj[]).map((t) => t.name)).toContain('slow');
  });

  it('wakes a long-polling Fetch on append and serves the stored batch byte for byte', async () => {
    await createTopic('poll');
    const consumer = await connect();
    const producer = await connect();
    const started = Date.now();
    const fetchId = consumer.send(API_KEYS.Fetch, 11, fetchBody('poll', 0, { maxWaitMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 150));
    const sent = batch(['a', 'b', 'c']);
    const original = Buffer.from(sent);
    const produced = await producer.request(API_KEYS.Produce, 7, produceBody('poll', 0, sent));
    const p = (produced.responses as Obj[])[0]!.partitionResponses[0] as Obj;
    expect(p.errorCode).toBe(E.NONE);
    expect(p.baseOffset).toBe(0);
    const fetched = await consumer.nextResponse(API_KEYS.Fetch, 11);
    expect(fetched.correlationId).toBe(fetchId);
    expect(Date.now() - started).toBeLessThan(5_000);
    const partition = (fetched.body.responses as Obj[])[0]!.partitions[0] as Obj;
    expect(partition.highWatermark).toBe(3);
    expect(partition.lastStableOffset).toBe(3);
    const records = partition.records as Buffer;
    // Everything from the magic byte on (CRC-covered part included) is what the client sent.
    expect(records.length).toBe(original.length);
    expect(records.subarray(16).equals(original.subarray(16))).toBe(true);
  });

  it('waits for minBytes up to maxWaitMs, then answers with what there is', async () => {
    await createTopic('minbytes');
    const c = await connect();
    await c.request(API_KEYS.Produce, 7, produceBody('minbytes', 0, batch(['x'])));
    const started = Date.now();
    const body = await c.request(API_KEYS.Fetch, 11, fetchBody('minbytes', 0, { maxWaitMs: 300, minBytes: 1 << 20 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(((body.responses as Obj[])[0]!.partitions[0] as Obj).records.length).toBeGreaterThan(0);
  });

  it('answers an unknown ApiVersions version in the v0 layout with UNSUPPORTED_VERSION and its own range', async () => {
    const c = await connect();
    const id = c.send(API_KEYS.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }, 7);
    const v3 = await c.nextResponse(API_KEYS.ApiVersions, 3, 0);
    expect(v3.correlationId).toBe(id);
    expect(v3.body.errorCode).toBe(E.NONE);
    expect((v3.body.apiKeys as Obj[]).find((k) => k.apiKey === API_KEYS.Produce)).toMatchObject({ minVersion: 0, maxVersion: 9 });
    // Version 9 does not exist: the header is v1-shaped for an unknown version (librdkafka style), answer is v0.
    const frame = Buffer.alloc(4 + 10 + 2);
    frame.writeInt32BE(12, 0);
    frame.writeInt16BE(API_KEYS.ApiVersions, 4);
    frame.writeInt16BE(9, 6);
    frame.writeInt32BE(42, 8);
    frame.writeInt16BE(-1, 12);
    frame.writeUInt8(0, 14); // empty tag buffer (header v2)
    frame.writeUInt8(0, 15);
    c.write(frame);
    const unknown = await c.nextResponse(API_KEYS.ApiVersions, 0, 0);
    expect(unknown.correlationId).toBe(42);
    expect(unknown.body.errorCode).toBe(E.UNSUPPORTED_VERSION);
    expect(unknown.body.apiKeys).toEqual([{ apiKey: API_KEYS.ApiVersions, minVersion: 0, maxVersion: 3 }]);
  });

  it('answers an advertised but unserved version (Produce v2) with UNSUPPORTED_VERSION in that layout', async () => {
    const c = await connect();
    const body = await c.request(API_KEYS.Produce, 2, produceBody('t', 0, batch(['v'])));
    const p = (body.responses as Obj[])[0]!.partitionResponses[0] as Obj;
    expect(p.errorCode).toBe(E.UNSUPPORTED_VERSION);
  });

  it('sends no response to acks=0 but still appends, and the next response keeps its correlation id', async () => {
    await createTopic('fire');
    const c = await connect();
    c.send(API_KEYS.Produce, 7, produceBody('fire', 0, batch(['1', '2']), 0));
    const id = c.send(API_KEYS.Metadata, 1, { topics: [{ name: 'fire' }] });
    const next = await c.nextResponse(API_KEYS.Metadata, 1);
    expect(next.correlationId).toBe(id);
    const offsets = await c.request(API_KEYS.ListOffsets, 1, {
      replicaId: -1,
      topics: [{ name: 'fire', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(((offsets.topics as Obj[])[0]!.partitions[0] as Obj).offset).toBe(2);
  });

  it('rejects a corrupted batch (bad CRC) for that partition only and appends nothing', async () => {
    await createTopic('crc');
    const c = await connect();
    const bad = batch(['payload']);
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
    const body = await c.request(API_KEYS.Produce, 8, produceBody('crc', 0, bad));
    const p = (body.responses as Obj[])[0]!.partitionResponses[0] as Obj;
    expect([E.CORRUPT_MESSAGE, E.INVALID_RECORD]).toContain(p.errorCode);
    expect(p.errorMessage).toMatch(/crc/i);
    const offsets = await c.request(API_KEYS.ListOffsets, 1, {
      replicaId: -1,
      topics: [{ name: 'crc', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(((offsets.topics as Obj[])[0]!.partitions[0] as Obj).offset).toBe(0);
  });

  it('serves Fetch from the stored bytes without checking CRCs (clients do, as with Kafka)', async () => {
    await createTopic('unchecked');
    const c = await connect();
    const sent = batch(['aaaa', 'bbbb']);
    await c.request(API_KEYS.Produce, 7, produceBody('unchecked', 0, sent));
    const file = path.join(tb.dir, 'unchecked-0', '00000000000000000000.log');
    const stored = fs.readFileSync(file);
    stored[stored.length - 2] = stored[stored.length - 2]! ^ 0x01; // inside the last record, under the CRC
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, stored, stored.length - 2, 1, stored.length - 2);
    fs.closeSync(fd);
    for (let i = 0; i < 3; i++) {
      const body = await c.request(API_KEYS.Fetch, 11, fetchBody('unchecked', 0));
      const partition = (body.responses as Obj[])[0]!.partitions[0] as Obj;
      expect(partition.errorCode).toBe(E.NONE);
      expect((partition.records as Buffer).equals(stored)).toBe(true);
    }
  });

  it('closes a connection with an unknown API key, logs it with the client address, and keeps serving others', async () => {
    const good = await connect();
    const bad = await connect();
    const frame = Buffer.alloc(4 + 10);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(999, 4);
    frame.writeInt16BE(0, 6);
    frame.writeInt32BE(1, 8);
    frame.writeInt16BE(-1, 12);
    const port = bad.socket.localPort;
    bad.write(frame);
    await bad.closed;
    expect(tb.logger.problems.some((l) => l.message.includes('unknown API key 999') && l.message.includes(`:${port}`))).toBe(true);
    const body = await good.request(API_KEYS.Metadata, 1, { topics: null });
    expect(body.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: tb.port, rack: null }]);
  });

  it('closes a connection that sends garbage after a valid header', async () => {
    const bad = await connect();
    const frame = Buffer.alloc(4 + 10 + 3);
    frame.writeInt32BE(13, 0);
    frame.writeInt16BE(API_KEYS.Metadata, 4);
    frame.writeInt16BE(1, 6);
    frame.writeInt32BE(5, 8);
    frame.writeInt16BE(-1, 12);
    frame.writeUInt8(0x7f, 14); // an array length of ~2^31: truncated
    bad.write(frame);
    await bad.closed;
    expect(tb.logger.problems.some((l) => l.message.includes('undecodable request') && l.message.includes('MetadataRequest'))).toBe(true);
  });

  it('closes a connection whose frame is larger than socket.request.max.bytes', async () => {
    await tb.cleanup();
    tb = await startTestBroker({ socketRequestMaxBytes: 1024 });
    const bad = await connect();
    const size = Buffer.alloc(4);
    size.writeInt32BE(2048, 0);
    bad.write(size);
    await bad.closed;
    expect(tb.logger.problems.some((l) => l.message.includes('request size 2048') && l.message.includes('socket.request.max.bytes'))).toBe(true);
    const good = await connect();
    expect((await good.request(API_KEYS.ApiVersions, 0, {})).errorCode).toBe(E.NONE);
  });

  it('serves many connections at once', async () => {
    await createTopic('many', 4);
    const conns = await Promise.all(Array.from({ length: 20 }, () => connect()));
    const results = await Promise.all(
      conns.map((c, i) => c.request(API_KEYS.Produce, 7, produceBody('many', i % 4, batch([`m${i}`])))),
    );
    for (const r of results) expect(((r.responses as Obj[])[0]!.partitionResponses[0] as Obj).errorCode).toBe(E.NONE);
    const offsets = await conns[0]!.request(API_KEYS.ListOffsets, 1, {
      replicaId: -1,
      topics: [{ name: 'many', partitions: [0, 1, 2, 3].map((p) => ({ partitionIndex: p, timestamp: -1 })) }],
    });
    expect(((offsets.topics as Obj[])[0]!.partitions as Obj[]).map((p) => p.offset)).toEqual([5, 5, 5, 5]);
  });
});
