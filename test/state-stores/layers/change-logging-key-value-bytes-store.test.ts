import { afterEach, describe, expect, it } from 'vitest';
import { ChangeLoggingKeyValueBytesStore } from '../../../state-stores/layers/change-logging-key-value-bytes-store.ts';
import { ChangeLoggingTimestampedKeyValueBytesStore } from '../../../state-stores/layers/change-logging-timestamped-key-value-bytes-store.ts';
import { InMemoryKeyValueBytesStore } from '../../../state-stores/memory/in-memory-key-value-bytes-store.ts';
import { toTimestampedRawValue } from '../../../state-stores/value-and-timestamp.ts';
import { testStoreContext, type TestStoreContext } from '../store-test-context.ts';

const b = (s: string): Buffer => Buffer.from(s);

describe('state-stores/layers/change-logging-key-value-bytes-store', () => {
  const contexts: TestStoreContext[] = [];
  afterEach(() => {
    for (const c of contexts) c.cleanup();
    contexts.length = 0;
  });

  it('logs every write, a tombstone for each delete, with the given timestamp or the wall clock', () => {
    const context = testStoreContext();
    contexts.push(context);
    const store = new ChangeLoggingKeyValueBytesStore(new InMemoryKeyValueBytesStore('s'));
    store.init(context, store);
    store.put(b('a'), b('1'), 5);
    store.put(b('a'), b('2'));
    store.putAll([[b('b'), b('3')]], 7);
    expect(store.delete(b('a'), 9)?.toString()).toBe('2');
    expect(context.logged.map((c) => [c.store, c.key.toString(), c.value?.toString() ?? null, c.timestamp])).toEqual([
      ['s', 'a', '1', 5],
      ['s', 'a', '2', 1_000],
      ['s', 'b', '3', 7],
      ['s', 'a', null, 9],
    ]);
    expect(store.get(b('b'))?.toString()).toBe('3');
  });

  it('timestamped: logs the plain value with the value timestamp as record timestamp, and restores it back', () => {
    const context = testStoreContext();
    contexts.push(context);
    const inner = new InMemoryKeyValueBytesStore('t');
    const store = new ChangeLoggingTimestampedKeyValueBytesStore(inner);
    store.init(context, store);
    store.put(b('k'), toTimestampedRawValue(b('v'), 1234));
    expect(context.logged).toEqual([{ store: 't', key: b('k'), value: b('v'), timestamp: 1234 }]);
    context.restores.get('t')!([{ key: b('r'), value: b('w'), timestamp: 77 }, { key: b('k'), value: null, timestamp: 78 }]);
    expect(inner.get(b('r'))).toEqual(toTimestampedRawValue(b('w'), 77));
    expect(inner.get(b('k'))).toBeUndefined();
  });
});
