import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../core/runtime/tributary-streams.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-joins-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({
    topics: ['orders', 'customers', 'left', 'right', 'fk-out', 'pk-out'].map((topic) => ({ topic, numPartitions: 3 })),
  });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

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

describe('operators/k-table joins on the embedded log (3 partitions)', () => {
  it('a foreign-key leftJoin and a primary-key outerJoin converge to the joins of the final tables (subscriptions and responses across partitions)', async () => {
    const b = new StreamsBuilder();
    const orders = b.table<string, string>('orders', { keySerde: str, valueSerde: str, storeName: 'orders' });
    const customers = b.table<string, string>('customers', { keySerde: str, valueSerde: str, storeName: 'customers' });
    // order value: "<customer>|<item>"
    orders
      .leftJoin(customers, (o) => o.split('|')[0], (o, c) => `${o.split('|')[1]}@${c}`, { name: 'by-customer', storeName: 'enriched', valueSerde: str })
      .toStream()
      .to('fk-out', { valueSerde: str });
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str });
    left.outerJoin(right, (l, r) => `${l}/${r}`, { storeName: 'pk-joined', valueSerde: str }).toStream().to('pk-out', { valueSerde: str });

    const app = new TributaryStreams(b.build(), { applicationId: 'joins', log: { client: log }, commitIntervalMs: 20, stateDir: join(dir, 'state') });
    await app.start();
    const customersList = Array.from({ length: 20 }, (_, i) => ({ key: `c${i}`, value: `name${i}` }));
    await produce('customers', customersList);
    const ordersList = Array.from({ length: 60 }, (_, i) => ({ key: `o${i}`, value: `c${i % 25}|item${i}` })); // c20..c24 do not exist
    await produce('orders', ordersList);
    await produce('orders', [{ key: 'o1', value: 'c2|moved' }, { key: 'o2', value: null }]);
    await produce('customers', [{ key: 'c3', value: 'renamed' }, { key: 'c4', value: null }]);
    await produce('left', [{ key: 'a', value: 'A' }, { key: 'b', value: 'B' }]);
    await produce('right', [{ key: 'b', value: 'b' }, { key: 'c', value: 'c' }]);

    const expected = new Map<string, string>();
    const customerNames = new Map(customersList.map((c) => [c.key, c.value] as const));
    customerNames.set('c3', 'renamed');
    customerNames.delete('c4');
    const finalOrders = new Map(ordersList.map((o) => [o.key, o.value] as const));
    finalOrders.set('o1', 'c2|moved');
    finalOrders.delete('o2');
    for (const [k, v] of finalOrders) {
      const [c, item] = v.split('|') as [string, string];
      expected.set(k, `${item}@${customerNames.get(c) ?? null}`);
    }
    const enriched = app.store<string, string>('enriched');
    const current = (): Map<string, string> => new Map([...enriched.all()].map((e) => [e.key, e.value]));
    await waitFor(() => JSON.stringify([...current()].sort()) === JSON.stringify([...expected].sort()));
    const pk = app.store<string, string>('pk-joined');
    await waitFor(() => [...pk.all()].length === 3);
    const pkValues = new Map([...pk.all()].map((e) => [e.key, e.value]));
    expect(pkValues).toEqual(new Map([['a', 'A/null'], ['b', 'B/b'], ['c', 'null/c']]));
    await app.close();
  }, 30_000);
});
