import { afterEach, describe, expect, it } from 'vitest';
import { Topology } from '../../core/topology/topology.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { Stores } from '../../state-stores/stores.ts';
import { DroppedRecords } from '../../operators/dropped-records.ts';
import { kStreamGlobalKTableJoin } from '../../operators/k-stream-global-k-table-join.ts';
import { kTableSource } from '../../operators/k-table-source.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';

const str = Serdes.string();

afterEach(closeDrivers);

/** views (key: view id, value: "<user>:<page>") joined with the users table through the user in the value. */
function topology(leftJoin: boolean, dropped: DroppedRecords) {
  return new Topology()
    .addSource('users', 'users', { keySerde: str, valueSerde: str })
    .addProcessor('users-table', kTableSource('users-store', new DroppedRecords()), 'users')
    .addStateStore(Stores.timestampedKeyValueStoreBuilder({ name: 'users-store', keySerde: str, valueSerde: str, kind: 'memory', caching: false }), 'users-table')
    .addSource('views', 'views', { keySerde: str, valueSerde: str })
    .addProcessor(
      'join',
      kStreamGlobalKTableJoin<string, string, string, string, string>(
        'users-store',
        (_viewId, view) => (view.startsWith(':') ? null : view.split(':')[0]!),
        (view, user, viewId) => `${viewId}:${view}@${user}`,
        leftJoin,
        dropped,
      ),
      'views',
    )
    .connectProcessorAndStateStores('join', 'users-store')
    .addSink('out', 'out', { keySerde: str, valueSerde: str }, 'join')
    .build();
}

describe('operators/k-stream-global-k-table-join', () => {
  for (const leftJoin of [false, true]) {
    it(`${leftJoin ? 'leftJoin' : 'join'}: looks up the row the key selector names; keeps the stream key; table updates emit nothing`, () => {
      const dropped = new DroppedRecords();
      const d = testDriver(topology(leftJoin, dropped));
      const users = d.createInputTopic('users', str, str);
      const views = d.createInputTopic('views', str, str);
      const out = d.createOutputTopic('out', str, str);
      users.pipeInput('ann', 'Ann', 1);
      views.pipeInput('v1', 'ann:/home', 2);
      views.pipeInput('v2', 'bob:/cart', 3); // no row
      views.pipeInput('v3', ':/anon', 4); // null table key
      views.pipeInput('v4', null, 5); // null value: dropped
      users.pipeInput('ann', 'Anne', 6);
      views.pipeInput(null, 'ann:/null-stream-key', 7); // the stream key is not needed
      const expected = leftJoin
        ? [['v1', 'v1:ann:/home@Ann', 2], ['v2', 'v2:bob:/cart@null', 3], ['v3', 'v3::/anon@null', 4], [null, 'null:ann:/null-stream-key@Anne', 7]]
        : [['v1', 'v1:ann:/home@Ann', 2], [null, 'null:ann:/null-stream-key@Anne', 7]];
      expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual(expected);
      expect(dropped.nullKeyOrValue).toBe(leftJoin ? 1 : 2);
    });
  }
});
