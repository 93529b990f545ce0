import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();
const i64 = Serdes.int64();

interface User {
  region: string;
  age: number;
}
const userSerde = Serdes.json<User>();

afterEach(closeDrivers);

describe('operators/k-table', () => {
  it('builder.table: upserts per key, tombstones delete, null keys dropped and counted', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users', { keySerde: str, valueSerde: str, storeName: 'users', caching: false });
    users.toStream().to('users-out');
    const d = testDriver(b.build());
    const input = d.createInputTopic('users', str, str);
    input.pipeInput('u1', 'ann', 1);
    input.pipeInput('u2', 'bob', 2);
    input.pipeInput('u1', 'anne', 3);
    input.pipeInput('u2', null, 4);
    input.pipeInput('u3', null, 5); // deleting a row the table does not have: nothing to forward
    input.pipeInput(null, 'x', 6);
    const out = d.createOutputTopic('users-out', str, str).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['u1', 'ann', 1],
      ['u2', 'bob', 2],
      ['u1', 'anne', 3],
      ['u2', null, 4],
    ]);
    const store = d.getStateStore<any>('users');
    expect(store.get('u1')).toEqual({ value: 'anne', timestamp: 3 });
    expect(store.get('u2')).toBeUndefined();
    expect(users.queryableStoreName).toBe('users');
    expect(users.droppedRecords!.nullKeyOrValue).toBe(1);
  });

  it('filter forwards a tombstone when a row stops matching; filterNot the reverse; nothing for rows never in the result', () => {
    const b = new StreamsBuilder();
    const t = b.table<string, number>('t', { keySerde: str, valueSerde: i64, caching: false });
    t.filter((_k, v) => v > 10).toStream().to('big', { valueSerde: i64 });
    t.filterNot((_k, v) => v > 10, { storeName: 'small', kind: 'memory', caching: false }).toStream().to('small-out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('t', str, i64);
    input.pipeInput('a', 5);
    input.pipeInput('a', 20);
    input.pipeInput('a', 30);
    input.pipeInput('a', 1);
    input.pipeInput('b', 3);
    input.pipeInput('b', 4);
    expect(d.createOutputTopic('big', str, i64).readKeyValuesToList()).toEqual([
      { key: 'a', value: 20 },
      { key: 'a', value: 30 },
      { key: 'a', value: null },
    ]);
    expect(d.createOutputTopic('small-out', str, i64).readKeyValuesToList()).toEqual([
      { key: 'a', value: 5 },
      { key: 'a', value: null },
      { key: 'a', value: 1 },
      { key: 'b', value: 3 },
      { key: 'b', value: 4 },
    ]);
    expect(d.getStateStore<any>('small').get('a')).toEqual({ value: 1, timestamp: 0 });
  });

  it('mapValues maps new values and keeps tombstones', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('t', { keySerde: str, valueSerde: str, caching: false })
      .mapValues((v, k) => `${k}=${v.length}`)
      .toStream()
      .to('out', { valueSerde: str });
    const d = testDriver(b.build());
    const input = d.createInputTopic('t', str, str);
    input.pipeInput('k', 'abc');
    input.pipeInput('k', null);
    expect(d.createOutputTopic('out', str, str).readValuesToList()).toEqual(['k=3', null]);
  });

  it('groupBy + count: a row moving between groups is subtracted from the old group and added to the new one', () => {
    const b = new StreamsBuilder();
    b.table<string, User>('users', { keySerde: str, valueSerde: userSerde, caching: false })
      .groupBy((_id, u) => [u.region, u] as const, { keySerde: str, valueSerde: userSerde })
      .count({ storeName: 'per-region', caching: false })
      .toStream()
      .to('per-region-out', { valueSerde: i64 });
    const topology = b.build();
    expect([...topology.internalTopics.keys()].sort()).toEqual(['per-region-changelog', 'per-region-repartition', 'users-table-source-store-changelog']);
    const d = testDriver(topology);
    const input = d.createInputTopic('users', str, userSerde);
    input.pipeInput('u1', { region: 'eu', age: 30 });
    input.pipeInput('u2', { region: 'eu', age: 40 });
    input.pipeInput('u1', { region: 'us', age: 31 });
    input.pipeInput('u2', null);
    const out = d.createOutputTopic('per-region-out', str, i64).readKeyValuesToList();
    expect(out).toEqual([
      { key: 'eu', value: 1 },
      { key: 'eu', value: 2 },
      { key: 'eu', value: 1 },
      { key: 'us', value: 1 },
      { key: 'eu', value: 0 },
    ]);
    const store = d.getStateStore<any>('per-region');
    expect(store.get('eu').value).toBe(0);
    expect(store.get('us').value).toBe(1);
  });

  it('groupBy + aggregate with adder and subtractor; an update within one group is one change', () => {
    const b = new StreamsBuilder();
    b.table<string, User>('users', { keySerde: str, valueSerde: userSerde, caching: false })
      .groupBy((_id, u) => [u.region, u.age] as const, { keySerde: str, valueSerde: i64 })
      .aggregate(() => 0, (_r, age, sum) => sum + age, (_r, age, sum) => sum - age, { valueSerde: i64, caching: false })
      .toStream()
      .to('ages', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('users', str, userSerde);
    input.pipeInput('u1', { region: 'eu', age: 30 });
    input.pipeInput('u2', { region: 'eu', age: 40 });
    input.pipeInput('u1', { region: 'eu', age: 31 });
    expect(d.createOutputTopic('ages', str, i64).readValuesToList()).toEqual([30, 70, 71]);
  });

  it('groupBy + reduce with adder and subtractor', () => {
    const b = new StreamsBuilder();
    b.table<string, number>('balances', { keySerde: str, valueSerde: i64, caching: false })
      .groupBy((acct, amount) => [acct.split('/')[0]!, amount] as const, { keySerde: str, valueSerde: i64 })
      .reduce((x, y) => x + y, (x, y) => x - y, { storeName: 'branch-totals', caching: false })
      .toStream()
      .to('totals', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('balances', str, i64);
    input.pipeInput('north/1', 100);
    input.pipeInput('north/2', 50);
    input.pipeInput('north/1', 80);
    input.pipeInput('south/1', 10);
    expect(d.createOutputTopic('totals', str, i64).readKeyValuesToList()).toEqual([
      { key: 'north', value: 100 },
      { key: 'north', value: 150 },
      { key: 'north', value: 130 },
      { key: 'south', value: 10 },
    ]);
  });
});
