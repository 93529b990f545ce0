import { describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../../core/runtime/topology-test-driver.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import type { Processor } from '../../../core/processor/processor.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import type { Record } from '../../../core/processor/record.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';

const str = Serdes.string();
const i64 = Serdes.int64();

/** users table (region per user) -> groupBy region -> count, with caching on both stores or off. */
function regionCounts(caching: boolean): StreamsBuilder {
  const b = new StreamsBuilder();
  b.table<string, string>('users', { keySerde: str, valueSerde: str, caching })
    .groupBy((_id, region) => [region, region] as const, { keySerde: str, valueSerde: str })
    .count({ storeName: 'per-region', caching })
    .toStream()
    .to('per-region-out', { valueSerde: i64 });
  return b;
}

const updates: [string, string | null][] = [
  ['u1', 'eu'],
  ['u2', 'eu'],
  ['u3', 'us'],
  ['u1', 'us'],
  ['u2', null],
  ['u4', 'apac'],
];

function run(caching: boolean): { store: Map<string, number>; out: Map<string, number>; afterEach: Map<string, number>[] } {
  const d = new TopologyTestDriver(regionCounts(caching).build());
  try {
    const input = d.createInputTopic('users', str, str);
    const output = d.createOutputTopic('per-region-out', str, i64);
    const store = d.getStateStore<any>('per-region');
    const out = new Map<string, number>();
    const afterEach: Map<string, number>[] = [];
    let t = 1_000;
    for (const [k, v] of updates) {
      input.pipeInput(k, v, (t += 10));
      for (const [key, value] of output.readKeyValuesToMap()) out.set(key, value as number);
      afterEach.push(new Map(out));
    }
    const final = new Map<string, number>();
    for (const region of ['eu', 'us', 'apac']) final.set(region, store.get(region)?.value ?? store.get(region));
    return { store: final, out, afterEach };
  } finally {
    d.close();
  }
}

describe('core/runtime/topology-test-driver (records written by the commit flush)', () => {
  it('a cached table -> groupBy -> count gives the same results after every pipeInput as without caching', () => {
    const cached = run(true);
    const uncached = run(false);
    expect(uncached.store).toEqual(new Map([['eu', 0], ['us', 2], ['apac', 1]]));
    expect(cached.store).toEqual(uncached.store);
    expect(cached.out).toEqual(new Map([['eu', 0], ['us', 2], ['apac', 1]]));
    expect(cached.afterEach).toEqual(uncached.afterEach);
  });

  it('records flushed at commit after a wall-clock punctuation are processed within advanceWallClockTime', () => {
    // a processor holds records back and emits them on a wall-clock punctuation -> cached count ->
    // repartition (written only by the count's cache flush at commit) -> cached count -> out
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .process((): Processor<string, string, string, string> => {
        let ctx!: ProcessorContext<string, string>;
        const held: Record<string, string>[] = [];
        return {
          init(c) {
            ctx = c;
            c.schedule(1_000, 'wall-clock', () => {
              for (const r of held.splice(0)) ctx.forward(r);
            });
          },
          process(r) {
            held.push(r);
          },
        };
      })
      .groupByKey({ keySerde: str, valueSerde: str })
      .count({ storeName: 'per-key', caching: true })
      .toStream()
      .groupBy((_k, n) => (n > 1 ? 'many' : 'one'), { keySerde: str, valueSerde: i64 })
      .count({ storeName: 'per-size', caching: true })
      .toStream()
      .to('sizes', { valueSerde: i64 });
    const d = new TopologyTestDriver(b.build());
    try {
      const events = d.createInputTopic('events', str, str);
      const sizes = d.createOutputTopic('sizes', str, i64);
      events.pipeInput('a', 'x', 1_000);
      events.pipeInput('a', 'y', 1_001);
      events.pipeInput('b', 'z', 1_002);
      expect(sizes.isEmpty()).toBe(true);
      d.advanceWallClockTime(1_000);
      // per-key flushes a=2, b=1 at the commit; both reach per-size before advanceWallClockTime returns
      expect(sizes.readKeyValuesToMap()).toEqual(new Map([['many', 1], ['one', 1]]));
      expect(d.getStateStore<any>('per-size').get('many').value).toBe(1);
    } finally {
      d.close();
    }
  });

  it('keeps processing until the flush at commit produces nothing more (a chain of two cached repartitions)', () => {
    const b = new StreamsBuilder();
    b.table<string, string>('users', { keySerde: str, valueSerde: str, caching: true })
      .groupBy((_id, region) => [region, region] as const, { keySerde: str, valueSerde: str })
      .count({ storeName: 'per-region', caching: true })
      .groupBy((region, n) => [n % 2 === 0 ? 'even' : 'odd', region] as const, { keySerde: str, valueSerde: str })
      .count({ storeName: 'parity', caching: true })
      .toStream()
      .to('parity-out', { valueSerde: i64 });
    const d = new TopologyTestDriver(b.build());
    try {
      const input = d.createInputTopic('users', str, str);
      const output = d.createOutputTopic('parity-out', str, i64);
      input.pipeInput('u1', 'eu', 1_000); // eu=1 -> odd {eu}
      expect(output.readKeyValuesToMap()).toEqual(new Map([['odd', 1]]));
      input.pipeInput('u2', 'eu', 1_010); // eu=2 -> even {eu}, odd {}
      expect(output.readKeyValuesToMap()).toEqual(new Map([['odd', 0], ['even', 1]]));
      const parity = d.getStateStore<any>('parity');
      expect(parity.get('even').value).toBe(1);
      expect(parity.get('odd').value).toBe(0);
    } finally {
      d.close();
    }
  });
});
