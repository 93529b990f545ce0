import { describe, expect, it } from 'vitest';
import { TopologyLayout } from '../../../core/runtime/topology-layout.ts';
import { TopologyError } from '../../../core/errors/streams-errors.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import type { PhysicalTopology } from '../../../core/topology/physical-topology.ts';
import { JoinWindows } from '../../../operators/join-windows.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';

const str = Serdes.string();
const APP = 'app';
const serdes = { defaultKeySerde: str, defaultValueSerde: str };

/** Plans the internal topics of `topology` over external topics with the given counts, then checks co-partitioning. */
function plan(topology: PhysicalTopology, external: Record<string, number>): Map<string, number> {
  const layout = TopologyLayout.resolve(topology, APP, Object.keys(external));
  const counts = new Map(Object.entries(external));
  const planned = new Map(layout.planInternalTopics(counts).map((p) => [p.name, p.numPartitions]));
  for (const [name, n] of planned) counts.set(name, n);
  layout.checkCopartitioning(counts);
  return planned;
}

function fkJoin(): PhysicalTopology {
  const b = new StreamsBuilder();
  const orders = b.table<string, string>('orders', { keySerde: str, valueSerde: str, storeName: 'orders' });
  const customers = b.table<string, string>('customers', { keySerde: str, valueSerde: str, storeName: 'customers' });
  orders
    .join(customers, (o) => o.split('|')[0], (o, c) => `${o}@${c}`, { name: 'by-customer', valueSerde: str })
    .toStream()
    .to('out', { valueSerde: str });
  return b.build();
}

describe('core/runtime/topology-layout planInternalTopics', () => {
  it('a foreign-key join of a 3-partition and a 2-partition table: the subscription topic follows the right table, the response topic the left', () => {
    const planned = plan(fkJoin(), { orders: 3, customers: 2, out: 1 });
    expect(planned.get(`${APP}-by-customer-subscription-registration-topic`)).toBe(2);
    expect(planned.get(`${APP}-by-customer-subscription-response-topic`)).toBe(3);
    // the stores' changelogs follow their sub-topology's task count
    expect(planned.get(`${APP}-orders-changelog`)).toBe(3);
    expect(planned.get(`${APP}-customers-changelog`)).toBe(2);
    expect(planned.get(`${APP}-by-customer-subscription-store-changelog`)).toBe(2);
    // and the other way round
    const swapped = plan(fkJoin(), { orders: 2, customers: 5, out: 1 });
    expect(swapped.get(`${APP}-by-customer-subscription-registration-topic`)).toBe(5);
    expect(swapped.get(`${APP}-by-customer-subscription-response-topic`)).toBe(2);
  });

  it('a repartition topic without a declared count takes the count of the external topics it is co-partitioned with, and downstream topics follow it', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: str, valueSerde: str });
    b.stream<string, string>('clicks', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .join(users, (c, u) => `${c}/${u}`, { name: 'clicks-users' })
      .selectKey((_k, v) => v)
      .groupByKey({ keySerde: str, valueSerde: str })
      .count({ storeName: 'per-pair' })
      .toStream()
      .to('out', { valueSerde: Serdes.int64() });
    const topology = b.build();
    const planned = plan(topology, { clicks: 4, users: 2, out: 1 });
    const repartitions = [...planned].filter(([name]) => name.endsWith('-repartition'));
    expect(repartitions.length).toBe(2);
    // the first (into the join) takes users' 2, not clicks' 4; the second is written by the join's sub-topology (2 tasks)
    for (const [, n] of repartitions) expect(n).toBe(2);
    expect(planned.get(`${APP}-per-pair-changelog`)).toBe(2);
  });

  it('a declared numberOfPartitions is kept; when it differs from the external topics it is co-partitioned with, the check names both', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: str, valueSerde: str });
    b.stream<string, string>('clicks', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .repartition({ name: 'clicks-by-user', numberOfPartitions: 5 })
      .join(users, (c, u) => `${c}/${u}`)
      .to('out', { valueSerde: str });
    const topology = b.build();
    const layout = TopologyLayout.resolve(topology, APP, ['clicks', 'users', 'out']);
    const counts = new Map([['clicks', 4], ['users', 2], ['out', 1]]);
    const planned = layout.planInternalTopics(counts);
    expect(planned.find((p) => p.name === `${APP}-clicks-by-user-repartition`)?.numPartitions).toBe(5);
    for (const p of planned) counts.set(p.name, p.numPartitions);
    expect(() => layout.checkCopartitioning(counts)).toThrow(/app-clicks-by-user-repartition \(5\).*users \(2\)|users \(2\).*app-clicks-by-user-repartition \(5\)/);
  });

  it('external topics of a co-partition group with different counts are a TopologyError naming them, even with internal topics in the group', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: str, valueSerde: str });
    const right = b.table<string, string>('right', { keySerde: str, valueSerde: str });
    left.join(right, (l, r) => `${l}/${r}`).toStream().to('out', { valueSerde: str });
    const topology = b.build();
    const layout = TopologyLayout.resolve(topology, APP, ['left', 'right', 'out']);
    const run = (): unknown => layout.planInternalTopics(new Map([['left', 3], ['right', 2], ['out', 1]]));
    expect(run).toThrow(TopologyError);
    expect(run).toThrow(/left \(3\).*right \(2\)/);

    // a foreign-key join has internal topics in both groups; the left side itself merged from two topics of different counts
    const b2 = new StreamsBuilder();
    const orders = b2.table<string, string>('orders', { keySerde: str, valueSerde: str, storeName: 'orders' });
    const customers = b2.table<string, string>('customers', { keySerde: str, valueSerde: str, storeName: 'customers' });
    const extra = b2.table<string, string>('extra', { keySerde: str, valueSerde: str });
    orders.join(extra, (o, e) => `${o}${e}`).join(customers, (o) => o, (o, c) => `${o}@${c}`, { name: 'fk' }).toStream().to('out', { valueSerde: str });
    const layout2 = TopologyLayout.resolve(b2.build(serdes), APP, ['orders', 'customers', 'extra', 'out']);
    expect(() => layout2.planInternalTopics(new Map([['orders', 3], ['extra', 4], ['customers', 2], ['out', 1]]))).toThrow(/orders \(3\).*extra \(4\)|extra \(4\).*orders \(3\)/);
  });

  it('a group of repartition topics only: all take the declared count of one of them, else the largest upstream count', () => {
    const build = (declared?: number): PhysicalTopology => {
      const b = new StreamsBuilder();
      const a = b.stream<string, string>('a', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v);
      const c = b.stream<string, string>('c', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v);
      const left = declared === undefined ? a : a.repartition({ name: 'a-by-value', numberOfPartitions: declared });
      left.join(c, (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceWithNoGrace(1_000)).to('out', { valueSerde: str });
      return b.build(serdes);
    };
    const free = [...plan(build(), { a: 3, c: 5, out: 1 })].filter(([name]) => name.endsWith('-repartition'));
    expect(free.length).toBe(2);
    for (const [, n] of free) expect(n).toBe(5);
    const pinned = [...plan(build(2), { a: 3, c: 5, out: 1 })].filter(([name]) => name.endsWith('-repartition'));
    expect(pinned.length).toBe(2);
    for (const [, n] of pinned) expect(n).toBe(2);
  });

  it('a count that cannot be determined is still a TopologyError naming the topic', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v).groupByKey().count({ storeName: 'n' });
    const layout = TopologyLayout.resolve(b.build(serdes), APP, []);
    expect(() => layout.planInternalTopics(new Map())).toThrow(/Cannot determine the partition count of internal topic\(s\) ".*-repartition"/);
  });
});
