import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { murmur2, partitionForKey, toPositive } from '../../../core/clients/partitioner.ts';

// Values from Apache Kafka's UtilsTest.testMurmur2 (the Java client's partitioner hash).
const KAFKA_MURMUR2: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('core/clients/partitioner', () => {
  it('computes the murmur2 values of the Java client', () => {
    for (const [key, hash] of KAFKA_MURMUR2) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('picks the same partition as kafkajs for many keys', () => {
    const require = createRequire(import.meta.url);
    const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer) => number;
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(`key-${i}-${'x'.repeat(i % 7)}`);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      expect(partitionForKey(key, 12)).toBe(toPositive(kafkajsMurmur2(key)) % 12);
    }
  });

  it('maps into range for any partition count', () => {
    expect(partitionForKey(Buffer.from('21'), 1)).toBe(0);
    expect(partitionForKey(Buffer.from('21'), 3)).toBe((-973932308 & 0x7fffffff) % 3);
  });
});
