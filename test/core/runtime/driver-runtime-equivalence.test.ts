import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { TopologyTestDriver } from '../../../core/runtime/topology-test-driver.ts';
import type { PhysicalTopology } from '../../../core/topology/physical-topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';

const str = Serdes.string();
const int = Serdes.int32();

interface Out {
  topic: string;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: string[];
}

interface Case {
  name: string;
  inputs: string[];
  outputs: string[];
  build(): PhysicalTopology;
}

const input = Array.from({ length: 60 }, (_, i) => ({
  key: i % 7 === 0 ? null : `k${i % 5}`,
  value: `${['alpha', 'beta', 'gamma', 'delta'][i % 4]} ${i}`,
  timestamp: 1000 + ((i * 37) % 50),
  headers: i % 3 === 0 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }] : [],
}));

const cases: Case[] = [
  {
    name: 'a stateless chain',
    inputs: ['in'],
    outputs: ['out'],
    build() {
      const b = new StreamsBuilder();
      b.stream<string, string>('in', { keySerde: str, valueSerde: str })
        .filter((_k, v) => !v.startsWith('delta'))
        .mapValues((v) => v.toUpperCase())
        .flatMapValues((v) => v.split(' '))
        .map((k, v) => [v, (k ?? '').length] as const)
        .to('out', { keySerde: str, valueSerde: int });
      return b.build();
    },
  },
  {
    name: 'a split and merge',
    inputs: ['in'],
    outputs: ['alpha', 'rest', 'merged'],
    build() {
      const b = new StreamsBuilder();
      const branches = b
        .stream<string, string>('in', { keySerde: str, valueSerde: str })
        .split({ name: 'by-' })
        .branch((_k, v) => v.startsWith('alpha'), { name: 'alpha' })
        .branch((_k, v) => v.startsWith('beta'), { name: 'beta' })
        .defaultBranch({ name: 'rest' });
      branches['by-alpha']!.to('alpha', { keySerde: str, valueSerde: str });
      branches['by-rest']!.to('rest', { keySerde: str, valueSerde: str });
      branches['by-alpha']!.merge(branches['by-beta']!.mapValues((v) => `b:${v}`)).to('merged', { keySerde: str, valueSerde: str });
      return b.build();
    },
  },
  {
    name: 'a repartition',
    inputs: ['in'],
    outputs: ['by-word'],
    build() {
      const b = new StreamsBuilder();
      b.stream<string, string>('in', { keySerde: str, valueSerde: str })
        .selectKey((_k, v) => v.split(' ')[0]!)
        .repartition({ name: 'words', keySerde: str, valueSerde: str, numberOfPartitions: 1 })
        .mapValues((v, k) => `${k}|${v}`)
        .to('by-word', { keySerde: str, valueSerde: str });
      return b.build();
    },
  },
];

function viaDriver(c: Case): Out[] {
  const driver = new TopologyTestDriver(c.build(), { applicationId: 'eq' });
  const topic = driver.createInputTopic(c.inputs[0]!, str, str);
  for (const r of input) topic.pipeInput(r.key, r.value, r.timestamp, r.headers);
  const out: Out[] = [];
  for (const name of c.outputs) {
    const t = driver.createOutputTopic(name, Serdes.bytes(), Serdes.bytes());
    for (const r of t.readRecordsToList()) {
      out.push({ topic: name, key: r.key?.toString('hex') ?? null, value: r.value?.toString('hex') ?? null, timestamp: r.timestamp!, headers: r.headers.toArray().map((h) => `${h.key}=${h.value}`) });
    }
  }
  driver.close();
  return out;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-eq-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function viaRuntime(c: Case): Promise<Out[]> {
  const log = await EmbeddedLog.open({ dir: join(dir, c.name.replace(/\W/g, '-')) });
  try {
    const admin = log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [...c.inputs, ...c.outputs].map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
    const producer = log.producer();
    await producer.connect();
    for (const r of input) {
      await producer.send({
        topic: c.inputs[0]!,
        messages: [{ key: r.key, value: r.value, timestamp: String(r.timestamp), headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value])) }],
      });
    }
    await producer.disconnect();
    const app = new TributaryStreams(c.build(), { applicationId: 'eq', log: { client: log }, commitIntervalMs: 20, stateDir: join(dir, 'state') });
    await app.start();
    const expected = viaDriver(c).length;
    const read = async (): Promise<Out[]> => {
      const out: Out[] = [];
      for (const topic of c.outputs) {
        const [f] = await log.fetch([{ topic, partition: 0, offset: 0, maxBytes: 1 << 24 }], { maxWaitMs: 0 });
        for (const r of f!.records) {
          out.push({ topic, key: r.key?.toString('hex') ?? null, value: r.value?.toString('hex') ?? null, timestamp: r.timestamp, headers: r.headers.map((h) => `${h.key}=${h.value}`) });
        }
      }
      return out;
    };
    const until = Date.now() + 10_000;
    while ((await read()).length < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await app.close();
    return await read();
  } finally {
    await log.close();
  }
}

describe('core/runtime/driver-runtime-equivalence', () => {
  for (const c of cases) {
    it(`the test driver and the runtime on the embedded log give the same output for ${c.name}`, async () => {
      const fromDriver = viaDriver(c);
      expect(fromDriver.length).toBeGreaterThan(0);
      const fromRuntime = await viaRuntime(c);
      expect(fromRuntime).toEqual(fromDriver);
    });
  }
});
