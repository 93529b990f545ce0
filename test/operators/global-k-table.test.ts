import { afterEach, describe, expect, it } from 'vitest';
import { TopologyError } from '../../core/errors/streams-errors.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { GlobalKTable } from '../../operators/global-k-table.ts';
import type { TimestampedKeyValueStore } from '../../state-stores/key-value-store.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();

afterEach(closeDrivers);

/** views (key: view id, value: "<user>:<page>") joined with the global users table through the user named in the value. */
function viewsJoinUsers(leftJoin: boolean) {
  const builder = new StreamsBuilder();
  const users = builder.globalTable<string, string>('users', { keySerde: str, valueSerde: str, storeName: 'users', kind: 'memory' });
  const views = builder.stream<string, string>('views', { keySerde: str, valueSerde: str });
  const selector = (_id: string, view: string): string | null => (view.startsWith(':') ? null : view.split(':')[0]!);
  const joined = leftJoin
    ? views.leftJoin(users, selector, (view, user, id) => `${id}:${view}@${user ?? 'null'}`)
    : views.join(users, selector, (view, user, id) => `${id}:${view}@${user}`);
  joined.to('out', { keySerde: str, valueSerde: str });
  return { builder, users };
}

describe('operators/global-k-table', () => {
  for (const leftJoin of [false, true]) {
    it(`KStream-GlobalKTable ${leftJoin ? 'leftJoin' : 'join'}: looks up the row the key selector names, keeps the stream key and timestamp; table updates emit nothing`, () => {
      const d = testDriver(viewsJoinUsers(leftJoin).builder.build());
      const users = d.createInputTopic('users', str, str);
      const views = d.createInputTopic('views', str, str);
      const out = d.createOutputTopic('out', str, str);
      users.pipeInput('ann', 'Ann', 1);
      views.pipeInput('v1', 'ann:/home', 2);
      views.pipeInput('v2', 'bob:/cart', 3); // no row
      views.pipeInput('v3', ':/anon', 4); // null table key
      views.pipeInput('v4', null, 5); // null value: dropped by both
      users.pipeInput('ann', 'Anne', 6); // an update of the table alone emits nothing
      views.pipeInput(null, 'ann:/x', 7); // a null stream key does not matter
      users.pipeInput('ann', null, 8); // tombstone
      views.pipeInput('v5', 'ann:/gone', 9);
      const expected = leftJoin
        ? [['v1', 'v1:ann:/home@Ann', 2], ['v2', 'v2:bob:/cart@null', 3], ['v3', 'v3::/anon@null', 4], [null, 'null:ann:/x@Anne', 7], ['v5', 'v5:ann:/gone@null', 9]]
        : [['v1', 'v1:ann:/home@Ann', 2], [null, 'null:ann:/x@Anne', 7]];
      expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual(expected);
    });
  }

  it('materializes the table in a queryable timestamped store named by queryableStoreName', () => {
    const { builder, users } = viewsJoinUsers(false);
    expect(users).toBeInstanceOf(GlobalKTable);
    expect(users.queryableStoreName).toBe('users');
    const d = testDriver(builder.build());
    d.createInputTopic('users', str, str).pipeInput('ann', 'Ann', 42);
    const store = d.getStateStore<TimestampedKeyValueStore<string, string>>('users');
    expect(store.get('ann')).toEqual({ value: 'Ann', timestamp: 42 });
  });

  it('writes a global store (no sub-topology, no changelog) and describes it like Kafka Streams', () => {
    const builder = new StreamsBuilder();
    builder.globalTable<string, string>('users', { keySerde: str, valueSerde: str });
    builder.stream<string, string>('views', { keySerde: str, valueSerde: str }).to('out');
    const physical = builder.build();
    expect(physical.subtopologies).toHaveLength(1);
    expect(physical.globalStores.map((g) => [g.builder.name, g.topic, g.builder.loggingEnabled])).toEqual([['users-table-source-store', 'users', false]]);
    expect([...physical.internalTopics.keys()]).toEqual([]);
    expect(physical.describe().toString()).toContain(
      [
        '   Sub-topology: 1 for global store (will not generate tasks)',
        '    Source: users (topics: [users])',
        '      --> users-table-source',
        '    Processor: users-table-source (stores: [users-table-source-store])',
        '      --> none',
        '      <-- users',
      ].join('\n'),
    );
  });

  it('needs no repartition after a key change: the result keeps the stream\'s keying and adds no internal topic', () => {
    const builder = new StreamsBuilder();
    const users = builder.globalTable<string, string>('users', { keySerde: str, valueSerde: str });
    const rekeyed = builder.stream<string, string>('views', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v);
    const joined = rekeyed.join(users, (k) => k, (v, u) => `${v}/${u}`);
    expect(joined.keying).toBe('rekeyed');
    joined.to('out', { keySerde: str, valueSerde: str });
    const physical = builder.build();
    expect(physical.internalTopics.size).toBe(0);
    expect(physical.subtopologies).toHaveLength(1);
    const d = testDriver(physical);
    d.createInputTopic('users', str, str).pipeInput('ann', 'Ann', 1);
    d.createInputTopic('views', str, str).pipeInput('x', 'ann', 2);
    expect(d.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([{ key: 'ann', value: 'ann/Ann' }]);
  });

  it('serdes fall back to the build\'s defaults; without any the build fails naming the store', () => {
    const builder = new StreamsBuilder();
    builder.globalTable<string, string>('users', { storeName: 'users' });
    expect(() => builder.build()).toThrow(/Store "users" has no key serde/);
    const d = testDriver(builder.build({ defaultKeySerde: str, defaultValueSerde: str }));
    d.createInputTopic('users', str, str).pipeInput('ann', 'Ann', 1);
    expect(d.getStateStore<TimestampedKeyValueStore<string, string>>('users').get('ann')?.value).toBe('Ann');
  });

  it('rejects a global table of another builder, a non-function selector or joiner, and a topic read twice', () => {
    const a = new StreamsBuilder();
    const b = new StreamsBuilder();
    const other = b.globalTable<string, string>('users', { keySerde: str, valueSerde: str });
    const mine = a.globalTable<string, string>('users', { keySerde: str, valueSerde: str });
    const views = a.stream<string, string>('views', { keySerde: str, valueSerde: str });
    expect(() => views.join(other, (k) => k, (v, u) => v + u)).toThrow(/same StreamsBuilder/);
    expect(() => views.join(mine, null as never, (v, u) => v + u)).toThrow(/key selector function/);
    expect(() => views.leftJoin(mine, (k) => k, 'x' as never)).toThrow(/joiner function/);
    expect(() => a.stream('users')).toThrow(TopologyError);
    expect(() => a.globalTable('')).toThrow(TopologyError);
  });
});
