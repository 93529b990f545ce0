import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { JoinWindows } from '../../operators/join-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';

const str = Serdes.string();
const APP = 'join-restore';
/** Recent timestamps: the embedded log's 7-day retention would delete older segments. */
const BASE = Date.now() - 3_600_000;

function topology(kind: 'lmdb' | 'memory'): PhysicalTopology {
  const b = new StreamsBuilder();
  const left = b.stream<string, string>('left', { keySerde: str, valueSerde: str });
  const right = b.stream<string, string>('right', { keySerde: str, valueSerde: str });
  left.leftJoin(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), { name: 'j', kind }).to('out', { valueSerde: str });
  return b.build();
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-join-restore-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function waitCommitted(log: EmbeddedLog, topics: string[]): Promise<void> {
  const admin = log.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const end = await admin.fetchTopicOffsets(topic);
      for (let i = 0; ; i++) {
        const [c] = await admin.fetchOffsets({ groupId: APP, topics: [topic] });
        const at = new Map(c!.partitions.map((p) => [p.partition, p.offset]));
        if (end.every((p) => p.high === '0' || at.get(p.partition) === p.high)) break;
        if (i > 2000) throw new Error(`${topic} not committed`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function output(log: EmbeddedLog): Promise<string[]> {
  const out: string[] = [];
  for (const partition of [0, 1]) {
    const [f] = await log.fetch([{ topic: 'out', partition, offset: 0, maxBytes: 1 << 24 }], { maxWaitMs: 0 });
    for (const r of f!.records) out.push(`${r.key} ${r.value} ${r.timestamp}`);
  }
  return out.sort();
}

describe('operators/k-stream-k-stream-join restore', () => {
  for (const kind of ['lmdb', 'memory'] as const) {
    it(`an instance with empty local state restores both window stores and the outer store from their changelogs (${kind})`, async () => {
      const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
      try {
        const admin = log.admin();
        await admin.connect();
        await admin.createTopics({ topics: ['left', 'right', 'out'].map((topic) => ({ topic, numPartitions: 2 })) });
        await admin.disconnect();
        const producer = log.producer();
        await producer.connect();
        const send = (topic: string, key: string, value: string, ts: number) => producer.send({ topic, messages: [{ key, value, timestamp: String(ts) }] });

        // First instance: left records wait for partners; 'lonely' never gets one.
        const first = new TributaryStreams(topology(kind), { applicationId: APP, log: { client: log }, stateDir: join(dir, 'state-1'), commitIntervalMs: 20 });
        await first.start();
        for (let i = 0; i < 20; i++) await send('left', `k${i}`, `L${i}`, BASE + 10_000 + i);
        await send('left', 'lonely', 'L-lonely', BASE + 10_500);
        await send('right', 'r-early', 'x', BASE + 9_000); // a right record waiting in the right store
        await waitCommitted(log, ['left', 'right']);
        await first.close();
        expect(await output(log)).toEqual([]);

        // Second instance on a fresh state directory: everything must come back from the changelogs.
        const second = new TributaryStreams(topology(kind), { applicationId: APP, log: { client: log }, stateDir: join(dir, 'state-2'), commitIntervalMs: 20 });
        await second.start();
        for (let i = 0; i < 20; i++) await send('right', `k${i}`, `R${i}`, BASE + 10_100 + i);
        await send('left', 'r-early', 'late-left', BASE + 9_500); // joins the restored right record
        await waitCommitted(log, ['left', 'right']);
        // Move every task's stream time past lonely's wait (2 * 1000 ms): one record per partition.
        await producer.send({ topic: 'right', messages: [0, 1].map((partition) => ({ key: `tick${partition}`, value: 't', timestamp: String(BASE + 20_000), partition })) });
        await waitCommitted(log, ['right']);
        await second.close();
        await producer.disconnect();

        const expected = [...Array.from({ length: 20 }, (_, i) => `k${i} L${i}+R${i} ${BASE + 10_100 + i}`), `lonely L-lonely+null ${BASE + 10_500}`, `r-early late-left+x ${BASE + 9_500}`].sort();
        expect(await output(log)).toEqual(expected);
      } finally {
        await log.close();
      }
    }, 60_000);
  }
});
