import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TopologyError } from '../../core/errors/streams-errors.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { JoinWindows } from '../../operators/join-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();
const windows = JoinWindows.ofTimeDifferenceWithNoGrace(100);

afterEach(closeDrivers);

function groupOf(topology: PhysicalTopology, node: string): string[] {
  const sub = topology.subtopologies.find((s) => s.nodes.has(node))!;
  return sub.copartitionGroups[0]!.map((t) => t.name).sort();
}

describe('operators/join co-partitioning', () => {
  it('the two sources of a stream-stream join end up in one sub-topology and one co-partition group', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>('clicks', { keySerde: str, valueSerde: str });
    const r = b.stream<string, string>('impressions', { keySerde: str, valueSerde: str });
    l.join(r, (a, c) => a + c, windows, { name: 'j', kind: 'memory' }).to('out');
    const topology = b.build();
    expect(topology.subtopologies).toHaveLength(1);
    expect(groupOf(topology, 'j-this-join')).toEqual(['clicks', 'impressions']);
    expect([...topology.storeBuilders.keys()].sort()).toEqual(['j-other-join-store', 'j-this-join-store']);
    const desc = topology.describe().toString();
    expect(desc).toContain('j-this-join');
    expect(desc).toContain('j-other-join');
    expect(desc).toContain('j-merge');
  });

  it('left and outer joins add the outer join shared store; storeName renames the stores', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>('a', { keySerde: str, valueSerde: str });
    const r = b.stream<string, string>('b', { keySerde: str, valueSerde: str });
    l.outerJoin(r, (x, y) => `${x}${y}`, windows, { storeName: 'pairs', kind: 'memory' }).to('out');
    expect([...b.build().storeBuilders.keys()].sort()).toEqual(['pairs-other-join-store', 'pairs-outer-shared-join-store', 'pairs-this-join-store']);
  });

  it('a rekeyed side is repartitioned automatically (<name>-left-repartition) and joins correctly', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>('orders', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v.split(':')[0]!);
    const r = b.stream<string, string>('payments', { keySerde: str, valueSerde: str });
    l.join(r, (o, p) => `${o}|${p}`, windows, { name: 'pay', keySerde: str, valueSerde: str, kind: 'memory' }).to('out', { valueSerde: str });
    const topology = b.build();
    expect([...topology.internalTopics.keys()]).toContain('pay-left-repartition');
    expect([...topology.internalTopics.keys()]).not.toContain('pay-right-repartition');
    expect(groupOf(topology, 'pay-this-join')).toEqual(['pay-left-repartition', 'payments']);
    const d = testDriver(topology);
    d.createInputTopic('orders', str, str).pipeInput('o1', 'c1:book', 10);
    d.createInputTopic('payments', str, str).pipeInput('c1', '9.99', 20);
    expect(d.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([{ key: 'c1', value: 'c1:book|9.99' }]);
  });

  it('joining streams of two builders or without JoinWindows is a TopologyError naming the inputs', () => {
    const b1 = new StreamsBuilder();
    const b2 = new StreamsBuilder();
    const l = b1.stream<string, string>('x', { keySerde: str, valueSerde: str });
    const r = b2.stream<string, string>('y', { keySerde: str, valueSerde: str });
    expect(() => l.join(r, (a, c) => a + c, windows)).toThrow(/"y".*"x"/);
    const r1 = b1.stream<string, string>('z', { keySerde: str, valueSerde: str });
    expect(() => l.join(r1, (a, c) => a + c, { beforeMs: 1 } as unknown as JoinWindows)).toThrow(TopologyError);
    expect(() => l.join(r1, null as never, windows)).toThrow(/joiner/);
  });

  describe('on the embedded log', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tributary-join-copart-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('sources with different partition counts fail the start with a TopologyError naming both topics', async () => {
      const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
      try {
        const admin = log.admin();
        await admin.connect();
        await admin.createTopics({
          topics: [
            { topic: 'clicks', numPartitions: 2 },
            { topic: 'impressions', numPartitions: 3 },
          ],
        });
        await admin.disconnect();
        const b = new StreamsBuilder();
        const l = b.stream<string, string>('clicks', { keySerde: str, valueSerde: str });
        const r = b.stream<string, string>('impressions', { keySerde: str, valueSerde: str });
        l.join(r, (a, c) => a + c, windows, { kind: 'memory' }).to('out', { valueSerde: str });
        const app = new TributaryStreams(b.build(), { applicationId: 'copart', log: { client: log }, stateDir: join(dir, 'state') });
        const failure = await app.start().then(
          () => null,
          (e: unknown) => e,
        );
        await app.close().catch(() => undefined);
        expect(failure).toBeInstanceOf(TopologyError);
        expect(String((failure as Error).message)).toMatch(/clicks \(2\)/);
        expect(String((failure as Error).message)).toMatch(/impressions \(3\)/);
      } finally {
        await log.close();
      }
    });

    it('a stream-table join of topics with different partition counts fails the start too', async () => {
      const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
      try {
        const admin = log.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: 'views', numPartitions: 4 }, { topic: 'users', numPartitions: 2 }] });
        await admin.disconnect();
        const b = new StreamsBuilder();
        const users = b.table<string, string>('users', { keySerde: str, valueSerde: str, kind: 'memory' });
        b.stream<string, string>('views', { keySerde: str, valueSerde: str }).join(users, (v, u) => v + u).to('out', { valueSerde: str });
        const app = new TributaryStreams(b.build(), { applicationId: 'copart-st', log: { client: log }, stateDir: join(dir, 'state') });
        const failure = await app.start().then(
          () => null,
          (e: unknown) => e,
        );
        await app.close().catch(() => undefined);
        expect(failure).toBeInstanceOf(TopologyError);
        expect(String((failure as Error).message)).toMatch(/views \(4\).*users \(2\)|users \(2\).*views \(4\)/);
      } finally {
        await log.close();
      }
    });

    it('a rekeyed side is repartitioned to the partition count of the other side (3 vs 2 partitions) and joins', async () => {
      const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
      try {
        const admin = log.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'payments', numPartitions: 2 }, { topic: 'out', numPartitions: 2 }] });
        const base = Date.now() - 60_000;
        const producer = log.producer();
        await producer.connect();
        await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, i) => ({ key: `o${i}`, value: `c${i}`, timestamp: String(base + i) })) });
        await producer.send({ topic: 'payments', messages: Array.from({ length: 30 }, (_, i) => ({ key: `c${i}`, value: `p${i}`, timestamp: String(base + i + 1) })) });
        await producer.disconnect();
        const b = new StreamsBuilder();
        const orders = b.stream<string, string>('orders', { keySerde: str, valueSerde: str }).selectKey((_o, customer) => customer);
        const payments = b.stream<string, string>('payments', { keySerde: str, valueSerde: str });
        orders.join(payments, (o, p) => `${o}:${p}`, windows, { name: 'j', keySerde: str, valueSerde: str, kind: 'memory' }).to('out', { valueSerde: str });
        const app = new TributaryStreams(b.build(), { applicationId: 'copart-rk', log: { client: log }, stateDir: join(dir, 'state'), commitIntervalMs: 20 });
        await app.start();
        const read = async (): Promise<string[]> => {
          const out: string[] = [];
          for (const partition of [0, 1]) {
            const [f] = await log.fetch([{ topic: 'out', partition, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
            for (const r of f!.records) out.push(`${r.key}=${r.value}`);
          }
          return out.sort();
        };
        const until = Date.now() + 10_000;
        while ((await read()).length < 30 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        await app.close();
        expect(await read()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}=c${i}:p${i}`).sort());
        const [meta] = (await admin.fetchTopicMetadata({ topics: ['copart-rk-j-left-repartition'] })).topics;
        expect(meta!.partitions).toHaveLength(2);
        await admin.disconnect();
      } finally {
        await log.close();
      }
    });
  });
});
