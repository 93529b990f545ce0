/**
 * Compile-time checks: `tsc -p .` verifies every `@ts-expect-error` below (an unused one fails the type
 * check), the assertions check the runtime flag agrees with the type.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import type { KStream, PartitionedKStream } from '../../operators/k-stream.ts';
import { StringSerde } from '../../core/serde/string-serde.ts';
import { Int32Serde } from '../../core/serde/int32-serde.ts';

/** Stands for a stateful operation of the next issue (groupByKey, join) that needs co-partitioned input. */
function countByKey<K, V>(stream: PartitionedKStream<K, V>): string {
  return stream.keying;
}

describe('operators/k-stream types', () => {
  it('a key change makes the stream rekeyed in its type; only a repartition makes it partitioned again', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', { keySerde: new StringSerde(), valueSerde: new StringSerde() });
    expect(countByKey(s.filter(() => true).mapValues((v) => v.length))).toBe('partitioned');

    const rekeyed = s.selectKey((_k, v) => v.length);
    // @ts-expect-error a rekeyed stream is not partitioned by its key
    countByKey(rekeyed);
    // @ts-expect-error map changes the key too
    countByKey(s.map((k, v) => [v, k] as const));
    // @ts-expect-error value operations keep the rekeyed mark
    countByKey(rekeyed.mapValues((v) => v));
    // @ts-expect-error merging with a rekeyed stream is rekeyed
    countByKey(s.merge(s.flatMap((k, v) => [[k!, v]] as const)));
    expect(rekeyed.repartitionRequired).toBe(true);

    expect(countByKey(rekeyed.repartition({ keySerde: new Int32Serde() }))).toBe('partitioned');
    expect(countByKey(rekeyed.ensureCopartitioned('auto'))).toBe('partitioned');
  });

  it('serdes are typed', () => {
    const b = new StreamsBuilder();
    // @ts-expect-error a Serde<number> cannot read a stream of strings
    b.stream<string, string>('a', { valueSerde: new Int32Serde() });
    const s: KStream<string, number> = b.stream<string, number>('b', { valueSerde: new Int32Serde() });
    // @ts-expect-error a Serde<string> cannot write numbers
    s.to('out', { valueSerde: new StringSerde() });
    expect(s.keying).toBe('partitioned');
  });
});

describe('operators/k-stream types: stateful processValues', () => {
  it('processValues with stores on a rekeyed stream repartitions and returns a partitioned stream', () => {
    const b = new StreamsBuilder();
    b.addStateStore({ name: 'st', loggingEnabled: false, logConfig: {}, build: () => { throw new Error('unused'); } });
    const rekeyed = b.stream<string, string>('in').selectKey((_k, v) => v);
    const stateless = rekeyed.processValues<number>(() => ({ process() {} }));
    // @ts-expect-error without stores nothing is repartitioned: still rekeyed
    countByKey(stateless);
    expect(stateless.keying).toBe('rekeyed');
    const stateful = rekeyed.processValues<number>(() => ({ process() {} }), { name: 'enrich', stores: ['st'] });
    expect(countByKey(stateful)).toBe('partitioned');
    expect([...b.build().internalTopics.keys()]).toEqual(['enrich-repartition']);
  });
});
