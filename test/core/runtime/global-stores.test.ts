import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import type { RestoreProgress } from '../../../core/runtime/store-changelog-reader.ts';
import { Topology } from '../../../core/topology/topology.ts';
import type { PhysicalTopology } from '../../../core/topology/physical-topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import type { Record } from '../../../core/processor/record.ts';
import { keyValueStoreBuilder } from '../../../state-stores/key-value-store-builder.ts';
import type { KeyValueStore } from '../../../state-stores/key-value-store.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-global-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'countries', numPartitions: 2 },
      { topic: 'orders', numPartitions: 2 },
      { topic: 'enriched', numPartitions: 2 },
    ],
  });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function produce(topic: string, entries: [string, string | null][]): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic, messages: entries.map(([key, value]) => ({ key, value })) });
  await p.disconnect();
}

async function readValues(topic: string): Promise<string[]> {
  const out: string[] = [];
  for (const partition of [0, 1]) {
    const [f] = await log.fetch([{ topic, partition, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
    for (const r of f!.records) out.push(r.value!.toString());
  }
  return out.sort();
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** orders (key: country code) enriched with the country name from the global store `countries`. */
function enrichTopology(): PhysicalTopology {
  const built = new Topology()
    .addSource('orders', 'orders', { keySerde: str, valueSerde: str })
    .addProcessor(
      'enrich',
      () => {
        let ctx!: ProcessorContext<string, string>;
        let countries!: KeyValueStore<string, string>;
        return {
          init: (c: ProcessorContext<string, string>) => {
            ctx = c;
            countries = c.getStateStore<KeyValueStore<string, string>>('countries');
          },
          process: (r: Record<string, string>) => ctx.forward(r.withValue(`${r.value}:${countries.get(r.key) ?? '?'}`)),
        };
      },
      'orders',
    )
    .addSink('out', 'enriched', { keySerde: str, valueSerde: str }, 'enrich')
    .addGlobalStore(keyValueStoreBuilder({ name: 'countries', keySerde: str, valueSerde: str, logging: false, caching: false }), 'countries', {
      keySerde: str,
      valueSerde: str,
      processor: () => {
        let store!: KeyValueStore<string, string>;
        return {
          init: (c: ProcessorContext<never, never>) => (store = c.getStateStore<KeyValueStore<string, string>>('countries')),
          process: (r: Record<string, string | null>) => store.put(r.key, r.value),
        };
      },
    })
    .build();
  return built;
}

function app(stateDir: string, restores: RestoreProgress[]): TributaryStreams {
  const a = new TributaryStreams(enrichTopology(), { applicationId: 'global', log: { client: log }, stateDir, commitIntervalMs: 50 });
  a.on('restore', (p) => restores.push(p));
  return a;
}

describe('core/runtime/global stores', () => {
  it('restores a global store from its source topic on every instance, keeps it updated, and serves every task and interactive queries', async () => {
    await produce('countries', [['fr', 'France'], ['de', 'Germany'], ['jp', 'Japan'], ['it', 'Italy']]);
    const restores: RestoreProgress[] = [];
    const a = app(join(dir, 'state-a'), restores);
    await a.start();
    const done = restores.filter((p) => p.done && p.taskId === 'global');
    expect(done).toHaveLength(2); // one per partition of the source topic
    expect(done.reduce((n, p) => n + p.restored, 0)).toBe(4);
    const countries = a.store<string, string>('countries');
    expect(countries.get('jp')).toBe('Japan');

    await produce('orders', [['fr', 'o1'], ['jp', 'o2'], ['xx', 'o3']]);
    await waitFor(async () => (await readValues('enriched')).length === 3);
    expect(await readValues('enriched')).toEqual(['o1:France', 'o2:Japan', 'o3:?']);

    // updates of the source topic reach the store while running; a null value deletes
    await produce('countries', [['xx', 'Atlantis'], ['it', null]]);
    await waitFor(() => countries.get('xx') === 'Atlantis' && countries.get('it') === undefined);
    await produce('orders', [['xx', 'o4']]);
    await waitFor(async () => (await readValues('enriched')).includes('o4:Atlantis'));

    // a second instance holds a full copy too (while the tasks are divided)
    const b = app(join(dir, 'state-b'), []);
    await b.start();
    expect(b.store<string, string>('countries').get('xx')).toBe('Atlantis');
    expect([...b.store<string, string>('countries').all()].length).toBe(4);
    await b.close();
    await a.close();

    // a restart on the same state directory resumes past the checkpoint: nothing to replay
    const again: RestoreProgress[] = [];
    const c = app(join(dir, 'state-a'), again);
    await c.start();
    expect(again.filter((p) => p.done && p.taskId === 'global').reduce((n, p) => n + p.restored, 0)).toBe(0);
    expect(c.store<string, string>('countries').get('fr')).toBe('France');
    expect(c.store<string, string>('countries').get('it')).toBeUndefined();
    await c.close();
  });
});

describe('core/runtime/global stores (test driver)', () => {
  it('feeds global topics into the global store and lets every processor read it', async () => {
    const { TopologyTestDriver } = await import('../../../core/runtime/topology-test-driver.ts');
    const driver = new TopologyTestDriver(enrichTopology());
    const countries = driver.createInputTopic('countries', str, str);
    const orders = driver.createInputTopic('orders', str, str);
    const enriched = driver.createOutputTopic('enriched', str, str);
    countries.pipeInput('fr', 'France');
    orders.pipeInput('fr', 'o1');
    orders.pipeInput('de', 'o2');
    countries.pipeInput('de', 'Germany');
    orders.pipeInput('de', 'o3');
    expect(enriched.readValuesToList()).toEqual(['o1:France', 'o2:?', 'o3:Germany']);
    expect(driver.getStateStore<KeyValueStore<string, string>>('countries').get('de')).toBe('Germany');
    driver.close();
  });
});
