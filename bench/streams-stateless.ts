/**
 * Stateless streams benchmark, end to end on the embedded log (fetch, deserialize, process, serialize,
 * append): source -> mapValues -> filter -> to, with 100-byte values, for string, bytes, JSON and Avro
 * serdes, next to a hand-written loop doing the same work directly on the log client in the same run
 * (log.fetch, decode, transform, producer.send). The ratio is the framework's overhead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../core/runtime/tributary-streams.ts';
import { Serdes } from '../core/serde/serdes.ts';
import type { Serde } from '../core/serde/serde.ts';
import { StreamsBuilder } from '../operators/streams-builder.ts';
import { printJson, printTable } from './report.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const PARTITIONS = 2;

interface Reading {
  readonly user: string;
  readonly sensor: number;
  readonly value: number;
  readonly unit: string;
  readonly note: string;
}

const AVRO_SCHEMA = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'user', type: 'string' },
    { name: 'sensor', type: 'int' },
    { name: 'value', type: 'double' },
    { name: 'unit', type: 'string' },
    { name: 'note', type: 'string' },
  ],
};

interface Variant<V> {
  readonly name: string;
  readonly serde: Serde<V>;
  /** Makes the i-th input value (about 100 bytes serialized). */
  make(i: number): V;
  /** The mapValues step. */
  map(v: V): V;
  /** The filter step (keeps about 90%). */
  keep(v: V): boolean;
}

const filler = 'x'.repeat(100);
const stringVariant: Variant<string> = {
  name: 'string',
  serde: Serdes.string(),
  make: (i) => `${i}:`.concat(filler).slice(0, 100),
  map: (v) => v.toUpperCase(),
  keep: (v) => v.charCodeAt(0) !== 57, // drops values starting with '9' (about 11%)
};
const bytesVariant: Variant<Buffer> = {
  name: 'bytes',
  serde: Serdes.bytes(),
  make: (i) => Buffer.from(`${i}:`.concat(filler).slice(0, 100)),
  map: (v) => {
    v[1] = 0x21; // an in-place edit: the value bytes are the record's own view
    return v;
  },
  keep: (v) => v[0] !== 57,
};
const reading = (i: number): Reading => ({ user: `user-${i % 10_000}`, sensor: i % 64, value: i * 0.5, unit: 'celsius', note: 'ok'.padEnd(30, '.') });
const jsonVariant: Variant<Reading> = {
  name: 'json',
  serde: Serdes.json<Reading>(),
  make: reading,
  map: (v) => ({ ...v, value: v.value * 1.8 + 32, unit: 'fahrenheit' }),
  keep: (v) => v.sensor !== 9 && v.sensor !== 19 && v.sensor !== 29,
};
const avroVariant: Variant<Reading> = { ...jsonVariant, name: 'avro', serde: Serdes.avro<Reading>(AVRO_SCHEMA) };

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-stateless-'));
const log = await EmbeddedLog.open({ dir: join(dir, 'log') });
const admin = log.admin();
await admin.connect();
const producer = log.producer();
await producer.connect();

async function endOffset(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
}

async function prepareInput<V>(variant: Variant<V>, topic: string): Promise<number> {
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  let expected = 0;
  for (let i = 0; i < RECORDS; i += 1000) {
    const messages = [];
    for (let j = i; j < Math.min(RECORDS, i + 1000); j++) {
      const v = variant.make(j);
      if (variant.keep(variant.map(variant.make(j)))) expected++;
      messages.push({ key: `k${j % 1000}`, value: variant.serde.serialize(topic, v) });
    }
    await producer.send({ topic, messages });
  }
  return expected;
}

async function waitFor(topic: string, count: number): Promise<void> {
  while ((await endOffset(topic)) < count) await new Promise((r) => setTimeout(r, 5));
}

async function runStreams<V>(variant: Variant<V>, input: string, expected: number): Promise<number> {
  const output = `${input}-out`;
  await admin.createTopics({ topics: [{ topic: output, numPartitions: PARTITIONS }] });
  const builder = new StreamsBuilder();
  builder
    .stream<string, V>(input, { keySerde: Serdes.string(), valueSerde: variant.serde })
    .mapValues((v) => variant.map(v))
    .filter((_k, v) => variant.keep(v))
    .to(output, { keySerde: Serdes.string(), valueSerde: variant.serde });
  const app = new TributaryStreams(builder.build(), {
    applicationId: `bench-${variant.name}`,
    log: { client: log },
    stateDir: join(dir, 'state'),
    commitIntervalMs: 1000,
  });
  const t0 = performance.now();
  await app.start();
  await waitFor(output, expected);
  const seconds = (performance.now() - t0) / 1000;
  await app.close();
  return RECORDS / seconds;
}

/** The same work written by hand against the log client: fetch, decode, transform, serialize, send. */
async function runHandLoop<V>(variant: Variant<V>, input: string, expected: number): Promise<number> {
  const output = `${input}-hand`;
  await admin.createTopics({ topics: [{ topic: output, numPartitions: PARTITIONS }] });
  const keySerde = Serdes.string();
  const positions = Array.from({ length: PARTITIONS }, (_, p) => ({ topic: input, partition: p, offset: 0, maxBytes: 1 << 20 }));
  let written = 0;
  const t0 = performance.now();
  let seen = 0;
  while (seen < RECORDS) {
    const fetched = await log.fetch(positions, { maxWaitMs: 100 });
    for (const part of fetched) {
      if (part.records.length === 0) continue;
      const messages = [];
      for (const r of part.records) {
        const key = keySerde.deserialize(input, r.key);
        const value = variant.map(variant.serde.deserialize(input, r.value)!);
        if (variant.keep(value)) {
          messages.push({ key: keySerde.serialize(output, key), value: variant.serde.serialize(output, value), partition: part.partition });
        }
      }
      seen += part.records.length;
      positions[part.partition] = { ...positions[part.partition]!, offset: part.nextOffset };
      if (messages.length > 0) await producer.send({ topic: output, messages });
      written += messages.length;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (written !== expected) throw new Error(`hand loop wrote ${written}, expected ${expected}`);
  return RECORDS / seconds;
}

const results: { name: string; streams: number; hand: number }[] = [];
for (const variant of [stringVariant, bytesVariant, jsonVariant, avroVariant] as Variant<unknown>[]) {
  const input = `bench-${variant.name}`;
  const expected = await prepareInput(variant, input);
  const hand = await runHandLoop(variant, input, expected);
  const streams = await runStreams(variant, input, expected);
  results.push({ name: variant.name, streams, hand });
}

await producer.disconnect();
await admin.disconnect();
await log.close();
rmSync(dir, { recursive: true, force: true });

printTable(`source -> mapValues -> filter -> to, ${RECORDS.toLocaleString('en-US')} records of ~100 bytes, ${PARTITIONS} partitions, embedded log`, results.map((r) => ({
  name: r.name,
  'streams records/s': Math.round(r.streams),
  'hand loop records/s': Math.round(r.hand),
  'streams / hand loop': `${((r.streams / r.hand) * 100).toFixed(1)}%`,
})));
const byName = (n: string) => results.find((r) => r.name === n)!;
const best = byName('string').streams >= byName('bytes').streams ? byName('string') : byName('bytes');
printJson({
  bench: 'streams-stateless',
  records: RECORDS,
  recordsPerSec: Math.round(best.streams),
  handLoopRecordsPerSec: Math.round(best.hand),
  ratioOfHandLoop: Number((best.streams / best.hand).toFixed(3)),
  stringRecordsPerSec: Math.round(byName('string').streams),
  bytesRecordsPerSec: Math.round(byName('bytes').streams),
  jsonRecordsPerSec: Math.round(byName('json').streams),
  jsonHandLoopRecordsPerSec: Math.round(byName('json').hand),
  avroRecordsPerSec: Math.round(byName('avro').streams),
  avroHandLoopRecordsPerSec: Math.round(byName('avro').hand),
});
