import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TopologyError } from '../../../core/errors/streams-errors.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-layout-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function createTopics(topics: Record<string, number>): Promise<void> {
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions })) });
  await admin.disconnect();
}

async function partitionCount(topic: string): Promise<number> {
  const admin = log.admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.disconnect();
  return topics[0]!.partitions.length;
}

async function produce(topic: string, messages: { key: string; value: string | null }[]): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value === null ? null : Buffer.from(m.value) })) });
  await p.disconnect();
}

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function fkJoin(): StreamsBuilder {
  const b = new StreamsBuilder();
  const orders = b.table<string, string>('orders', { keySerde: str, valueSerde: str, storeName: 'orders' });
  const customers = b.table<string, string>('customers', { keySerde: str, valueSerde: str, storeName: 'customers' });
  // order value: "<customer>|<item>"
  orders
    .leftJoin(customers, (o) => o.split('|')[0], (o, c) => `${o.split('|')[1]}@${c}`, { name: 'by-customer', storeName: 'enriched', valueSerde: str })
    .toStream()
    .to('out', { valueSerde: str });
  return b;
}

describe('core/runtime/topology-layout on the embedded log', () => {
  it('a foreign-key join of a 3-partition and a 2-partition table starts, creates its internal topics with the counts of their co-partitioned tables, and joins', async () => {
    await createTopics({ orders: 3, customers: 2, out: 1 });
    const app = new TributaryStreams(fkJoin().build(), { applicationId: 'fk32', log: { client: log }, commitIntervalMs: 20, stateDir: join(dir, 'state') });
    await app.start();
    try {
      expect(await partitionCount('fk32-by-customer-subscription-registration-topic')).toBe(2);
      expect(await partitionCount('fk32-by-customer-subscription-response-topic')).toBe(3);
      const customers = Array.from({ length: 10 }, (_, i) => ({ key: `c${i}`, value: `name${i}` }));
      await produce('customers', customers);
      const orders = Array.from({ length: 30 }, (_, i) => ({ key: `o${i}`, value: `c${i % 12}|item${i}` })); // c10, c11 do not exist
      await produce('orders', orders);
      await produce('customers', [{ key: 'c3', value: 'renamed' }]);
      await produce('orders', [{ key: 'o1', value: 'c2|moved' }, { key: 'o2', value: null }]);

      const names = new Map(customers.map((c) => [c.key, c.value] as const));
      names.set('c3', 'renamed');
      const finalOrders = new Map(orders.map((o) => [o.key, o.value] as const));
      finalOrders.set('o1', 'c2|moved');
      finalOrders.delete('o2');
      const expected = [...finalOrders].map(([k, v]) => {
        const [c, item] = v.split('|') as [string, string];
        return `${k}=${item}@${names.get(c) ?? null}`;
      }).sort();
      const enriched = app.store<string, string>('enriched');
      const current = (): string[] => [...enriched.all()].map((e) => `${e.key}=${e.value}`).sort();
      await waitFor(() => JSON.stringify(current()) === JSON.stringify(expected));
      expect(current()).toEqual(expected);
    } finally {
      await app.close();
    }
  }, 30_000);

  it('a primary-key join of tables with different partition counts is refused at start, naming both topics', async () => {
    await createTopics({ left: 3, right: 2, out: 1 });
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str });
    left.join(right, (l, r) => `${l}/${r}`, { valueSerde: str }).toStream().to('out', { valueSerde: str });
    const app = new TributaryStreams(b.build(), { applicationId: 'pk32', log: { client: log }, commitIntervalMs: 20, stateDir: join(dir, 'state') });
    const started = app.start();
    await expect(started).rejects.toThrow(/left \(3\).*right \(2\)/);
    await started.catch((error: unknown) => expect(error).toBeInstanceOf(TopologyError));
    await app.close();
  }, 30_000);
});
