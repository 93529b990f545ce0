import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { SubscriptionResponseWrapper, SubscriptionResponseWrapperSerde } from '../../operators/subscription-response-wrapper.ts';
import { valueHash } from '../../operators/subscription-send-processor.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();

interface Order {
  customer: string | null;
  item: string;
}
const orderSerde = Serdes.json<Order>();

afterEach(closeDrivers);

const APP = 'test-driver';
const RESPONSE_TOPIC = `${APP}-fk-subscription-response-topic`;
const REGISTRATION_TOPIC = `${APP}-fk-subscription-registration-topic`;

function fkTopology(leftJoin: boolean, options: Record<string, unknown> = {}): StreamsBuilder {
  const b = new StreamsBuilder();
  const orders = b.table<string, Order>('orders', { keySerde: str, valueSerde: orderSerde, storeName: 'orders', caching: false });
  const customers = b.table<string, string>('customers', { keySerde: str, valueSerde: str, storeName: 'customers', caching: false });
  const joiner = (o: Order, c: string | null): string => `${o.item}@${c}`;
  const joined = leftJoin
    ? orders.leftJoin(customers, (o) => o.customer, joiner, { name: 'fk', valueSerde: str, ...options })
    : orders.join(customers, (o) => o.customer, joiner, { name: 'fk', valueSerde: str, ...options });
  joined.toStream().to('out', { valueSerde: str });
  return b;
}

function inputs(d: TopologyTestDriver) {
  return {
    orders: d.createInputTopic('orders', str, orderSerde),
    customers: d.createInputTopic('customers', str, str),
    out: d.createOutputTopic('out', str, str),
  };
}

function read(out: ReturnType<typeof inputs>['out']): [string | null, string | null, number | undefined][] {
  return out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
}

describe('operators/k-table (foreign-key joins)', () => {
  it('join: results follow updates on both sides, foreign-key changes and deletes', () => {
    const d = testDriver(fkTopology(false).build());
    const { orders, customers, out } = inputs(d);
    orders.pipeInput('o1', { customer: 'c1', item: 'pen' }, 1);
    expect(read(out)).toEqual([]); // no customer c1 yet
    customers.pipeInput('c1', 'ann', 2);
    expect(read(out)).toEqual([['o1', 'pen@ann', 2]]);
    customers.pipeInput('c1', 'anne', 3);
    expect(read(out)).toEqual([['o1', 'pen@anne', 3]]);
    orders.pipeInput('o1', { customer: 'c1', item: 'ink' }, 4); // same foreign key, new value
    expect(read(out)).toEqual([['o1', 'ink@anne', 4]]);
    customers.pipeInput('c2', 'bob', 5);
    orders.pipeInput('o1', { customer: 'c2', item: 'ink' }, 6); // foreign key changes
    expect(read(out)).toEqual([['o1', 'ink@bob', 6]]);
    customers.pipeInput('c1', 'anna', 7); // the old customer no longer reaches o1
    expect(read(out)).toEqual([]);
    orders.pipeInput('o1', { customer: 'c9', item: 'ink' }, 8); // to a customer that does not exist
    expect(read(out)).toEqual([['o1', null, 8]]);
    customers.pipeInput('c9', 'cy', 9);
    expect(read(out)).toEqual([['o1', 'ink@cy', 9]]);
    customers.pipeInput('c9', null, 10); // right row deleted: the inner result goes
    expect(read(out)).toEqual([['o1', null, 10]]);
    customers.pipeInput('c9', 'cyd', 11);
    expect(read(out)).toEqual([['o1', 'ink@cyd', 11]]);
    orders.pipeInput('o1', null, 12); // left row deleted
    expect(read(out)).toEqual([['o1', null, 12]]);
    customers.pipeInput('c9', 'cy2', 13); // nobody subscribes any more
    expect(read(out)).toEqual([]);
    expect([...d.getStateStore<any>('fk-subscription-store').all()]).toEqual([]);
  });

  it('leftJoin: a left row always has a result; missing or deleted right rows give joiner(left, null)', () => {
    const d = testDriver(fkTopology(true).build());
    const { orders, customers, out } = inputs(d);
    orders.pipeInput('o1', { customer: 'c1', item: 'pen' }, 1);
    expect(read(out)).toEqual([['o1', 'pen@null', 1]]);
    customers.pipeInput('c1', 'ann', 2);
    expect(read(out)).toEqual([['o1', 'pen@ann', 2]]);
    orders.pipeInput('o1', { customer: 'c2', item: 'pen' }, 3); // to a missing customer
    expect(read(out)).toEqual([['o1', 'pen@null', 3]]);
    customers.pipeInput('c2', 'bob', 4);
    expect(read(out)).toEqual([['o1', 'pen@bob', 4]]);
    customers.pipeInput('c2', null, 5);
    expect(read(out)).toEqual([['o1', 'pen@null', 5]]);
    customers.pipeInput('c1', 'anna', 6); // no longer subscribed to c1
    expect(read(out)).toEqual([]);
    orders.pipeInput('o1', null, 7);
    expect(read(out)).toEqual([['o1', null, 7]]);
  });

  it('null foreign keys: leftJoin emits joiner(left, null) at once; join has no result (and deletes one it had)', () => {
    const left = testDriver(fkTopology(true).build());
    const l = inputs(left);
    l.customers.pipeInput('c1', 'ann', 1);
    l.orders.pipeInput('o1', { customer: null, item: 'pen' }, 2);
    expect(read(l.out)).toEqual([['o1', 'pen@null', 2]]);
    l.orders.pipeInput('o1', { customer: 'c1', item: 'pen' }, 3);
    expect(read(l.out)).toEqual([['o1', 'pen@ann', 3]]);
    l.orders.pipeInput('o1', { customer: null, item: 'pen' }, 4); // unsubscribes from c1
    expect(read(l.out)).toEqual([['o1', 'pen@null', 4]]);
    l.customers.pipeInput('c1', 'anna', 5);
    expect(read(l.out)).toEqual([]);
    l.orders.pipeInput('o1', null, 6);
    expect(read(l.out)).toEqual([['o1', null, 6]]);

    const inner = testDriver(fkTopology(false).build());
    const i = inputs(inner);
    i.customers.pipeInput('c1', 'ann', 1);
    i.orders.pipeInput('o1', { customer: null, item: 'pen' }, 2);
    expect(read(i.out)).toEqual([]);
    i.orders.pipeInput('o1', { customer: 'c1', item: 'pen' }, 3);
    expect(read(i.out)).toEqual([['o1', 'pen@ann', 3]]);
    i.orders.pipeInput('o1', { customer: null, item: 'pen' }, 4);
    expect(read(i.out)).toEqual([['o1', null, 4]]);
    i.customers.pipeInput('c1', 'anna', 5);
    expect(read(i.out)).toEqual([]);
  });

  it('many left rows on one right row: a right update reaches each subscriber once', () => {
    const d = testDriver(fkTopology(false).build());
    const { orders, customers, out } = inputs(d);
    customers.pipeInput('c1', 'ann', 1);
    for (let n = 0; n < 5; n++) orders.pipeInput(`o${n}`, { customer: 'c1', item: `i${n}` }, 2 + n);
    orders.pipeInput('x', { customer: 'c10', item: 'other' }, 10); // shares a prefix of the key bytes, not the key
    read(out);
    customers.pipeInput('c1', 'bea', 20);
    expect(read(out).sort()).toEqual([0, 1, 2, 3, 4].map((n) => [`o${n}`, `i${n}@bea`, 20]));
  });

  it('a stale response (piped again after the left row changed) never produces a stale result', () => {
    const d = testDriver(fkTopology(true).build());
    const { orders, customers, out } = inputs(d);
    customers.pipeInput('c1', 'ann', 1);
    customers.pipeInput('c2', 'bob', 2);
    orders.pipeInput('o1', { customer: 'c1', item: 'pen' }, 3);
    expect(read(out)).toEqual([['o1', 'pen@ann', 3]]);
    const responses = d.captured(RESPONSE_TOPIC);
    const stale = responses[responses.length - 1]!; // the answer for {c1, pen}
    orders.pipeInput('o1', { customer: 'c2', item: 'pen' }, 4);
    expect(read(out)).toEqual([['o1', 'pen@bob', 4]]);
    // The old answer arrives late (as if reordered): it answers a value o1 no longer has.
    d.pipeRaw(RESPONSE_TOPIC, stale.key, stale.value, stale.headers, stale.timestamp);
    expect(read(out)).toEqual([]);
    expect(d.getStateStore<any>('orders').get('o1').value).toEqual({ customer: 'c2', item: 'pen' });
  });

  it('crafted responses: one for an older value of the left row is dropped, one for the current value is joined', () => {
    const d = testDriver(fkTopology(false).build());
    const { orders, customers, out } = inputs(d);
    const responses = d.createInputTopic(RESPONSE_TOPIC, str, new SubscriptionResponseWrapperSerde(str));
    customers.pipeInput('c1', 'ann', 1);
    const v1: Order = { customer: 'c1', item: 'pen' };
    const v2: Order = { customer: 'c1', item: 'ink' };
    orders.pipeInput('o1', v1, 2);
    orders.pipeInput('o1', v2, 3);
    expect(read(out)).toEqual([
      ['o1', 'pen@ann', 2],
      ['o1', 'ink@ann', 3],
    ]);
    const hashOf = (o: Order) => valueHash(orderSerde, REGISTRATION_TOPIC, o);
    responses.pipeInput('o1', new SubscriptionResponseWrapper(hashOf(v1), 'stale-customer', 0), 4);
    expect(read(out)).toEqual([]);
    responses.pipeInput('o1', new SubscriptionResponseWrapper<string>(null, null, 0), 5); // a delete answer, but o1 exists
    expect(read(out)).toEqual([]);
    responses.pipeInput('o1', new SubscriptionResponseWrapper(hashOf(v2), 'fresh', 0), 6);
    expect(read(out)).toEqual([['o1', 'ink@fresh', 6]]);
    responses.pipeInput('o2', new SubscriptionResponseWrapper(hashOf(v2), 'ghost', 0), 7); // o2 does not exist
    expect(read(out)).toEqual([]);
  });

  it('materialized result: the store holds the current results and tombstones only follow results', () => {
    const d = testDriver(fkTopology(false, { storeName: 'enriched', caching: false }).build());
    const { orders, customers, out } = inputs(d);
    orders.pipeInput('o1', { customer: 'c1', item: 'pen' }, 1);
    orders.pipeInput('o1', { customer: 'c2', item: 'pen' }, 2); // would propagate a null: no result existed
    expect(read(out)).toEqual([]);
    customers.pipeInput('c2', 'bob', 3);
    expect(read(out)).toEqual([['o1', 'pen@bob', 3]]);
    expect(d.getStateStore<any>('enriched').get('o1')).toEqual({ value: 'pen@bob', timestamp: 3 });
    customers.pipeInput('c2', null, 4);
    expect(read(out)).toEqual([['o1', null, 4]]);
    expect(d.getStateStore<any>('enriched').get('o1')).toBeUndefined();
  });

  it('writes the subscription and response topics and the subscription store, named after the join', () => {
    const b = fkTopology(false);
    const topology = b.build();
    const topics = [...topology.internalTopics.keys()].sort();
    expect(topics).toContain('fk-subscription-registration-topic');
    expect(topics).toContain('fk-subscription-response-topic');
    expect(topics).toContain('fk-subscription-store-changelog');
    // left side (orders + responses) and right side (customers + subscriptions) are two sub-topologies
    expect(topology.subtopologies.length).toBe(2);
  });
});
