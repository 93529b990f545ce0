/**
 * The log demo (`npm start` until the streams issues bring a real pipeline): opens the embedded log in
 * a data directory, creates a topic, produces keyed order events, consumes them with a consumer group of
 * two members, lets a third member join (a rebalance), and prints what happened: where records landed,
 * who consumed what, committed offsets and lag.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EmbeddedLog } from '../../core/clients/embedded/embedded-log.ts';
import type { Consumer } from '../../core/clients/log-client.ts';

const ORDERS = 20_000;
const CUSTOMERS = 500;
const dir = process.env.TRIBUTARY_DATA ?? join(process.cwd(), '.tributary-data', 'log-demo');
rmSync(dir, { recursive: true, force: true });

const log = await EmbeddedLog.open({ dir });
const admin = log.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] });
console.log(`embedded log in ${relative(process.cwd(), dir) || '.'}: topic "orders" with 6 partitions`);

const consumed = new Map<string, number>();
const assignments = new Map<string, string>();
let total = 0;
let target = 0;
let resolveAll: () => void = () => {};

async function member(name: string): Promise<Consumer> {
  const consumer = log.consumer({ groupId: 'billing', sessionTimeout: 6000, heartbeatInterval: 500 });
  consumer.on('consumer.group_join', (event) => {
    const payload = event.payload as { memberAssignment: Record<string, number[]> };
    assignments.set(name, JSON.stringify(payload.memberAssignment['orders'] ?? []));
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      consumed.set(name, (consumed.get(name) ?? 0) + batch.messages.length);
      total += batch.messages.length;
      if (total >= target) resolveAll();
    },
  });
  return consumer;
}

/** Waits until the group is Stable with `members` members (the demo polls; the library never does). */
async function groupStable(members: number): Promise<void> {
  for (;;) {
    const { groups } = await admin.describeGroups(['billing']);
    if (groups[0]?.state === 'Stable' && groups[0].members.length === members && assignments.size >= members) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const producer = log.producer({ idempotent: true });
await producer.connect();

/** Produces `count` keyed order events starting at order number `first`; returns elapsed ms. */
async function produceOrders(first: number, count: number): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < count; sent += 1000) {
    const messages = Array.from({ length: 1000 }, (_, i) => {
      const n = first + sent + i;
      const customer = `customer-${n % CUSTOMERS}`;
      return {
        key: customer,
        value: JSON.stringify({ order: n, customer, amount: ((n * 7919) % 10_000) / 100 }),
        headers: { source: 'log-demo' },
      };
    });
    await producer.send({ topic: 'orders', messages });
  }
  return performance.now() - started;
}

async function round(first: number, members: number): Promise<void> {
  await groupStable(members);
  total = 0;
  target = ORDERS;
  consumed.clear();
  const done = new Promise<void>((r) => (resolveAll = r));
  const ms = await produceOrders(first, ORDERS);
  await done;
  console.log(
    `produced ${ORDERS.toLocaleString('en-US')} orders (idempotent producer, keyed by customer -> murmur2 partition) in ${ms.toFixed(0)} ms; ` +
      `group "billing" with ${members} members consumed them:`,
  );
  for (const [name, count] of [...consumed].sort()) {
    console.log(`  ${name}: partitions ${assignments.get(name)} -> ${count.toLocaleString('en-US')} records`);
  }
}

const a = await member('consumer-a');
const b = await member('consumer-b');
await round(0, 2);
const offsets = await admin.fetchTopicOffsets('orders');
console.log(`  log end offsets: ${offsets.map((o) => `p${o.partition}=${o.high}`).join(' ')}`);

console.log('consumer-c joins: the group rebalances');
const c = await member('consumer-c');
await round(ORDERS, 3);

for (const consumer of [a, b, c]) await consumer.disconnect();
const lag = await admin.fetchGroupLag({ groupId: 'billing' });
console.log(`committed offsets of "billing": ${lag.map((p) => `p${p.partition}=${p.offset} (lag ${p.lag})`).join(' ')}`);
await producer.disconnect();
await admin.disconnect();
await log.close();
console.log('closed cleanly; run again to start over');
