/**
 * Broker benchmark over loopback, 100-byte records, 4-partition topics, flush policy 'os':
 * - kcat (librdkafka) produces 1,000,000 lines fed on stdin (`-X linger.ms=5 -X batch.num.messages=10000`)
 *   and consumes them (`-C -o beginning -e -q -X fetch.wait.max.ms=10`, counting the records received);
 * - the same two kcat commands against librdkafka's in-memory mock cluster, the reference. The mock keeps
 *   only 5 MiB per partition, so it returns part of the records: compare rates, not totals;
 * - kafkajs produces (1,000 messages per send) and consumes in a group, the rate measured from the first
 *   batch so that the group join is not counted.
 * The broker runs as `tributary broker` in its own process (as users run it), so clients in this process
 * do not share its event loop; its CPU time per run is read from /proc (Linux).
 *
 * Each kcat figure is the median of `BENCH_RUNS` runs (default 5; a fresh topic per run), as the consume
 * command is bimodal with a fast broker: librdkafka 2.0.2 stops fetching once 100,000 messages wait in the
 * consumer's queue (`queued.min.messages`, counted over the forwarded queue of all partitions) and only
 * re-checks on its 1 s broker-thread tick (made configurable in 2.4 as `fetch.queue.backoff.ms`), so a run
 * where kcat's printing thread falls behind its fetcher stalls for ~1 s. The same command with
 * `-X queued.min.messages=1000000` is also run once against each, as the stall-free capacity.
 * Why the mock does not stall with the same command (seen with `-d fetch`): it keeps 5 MiB per partition,
 * so it returns ~184,000 of the 1,000,000 records and kcat's queue never nears 100,000 (its peak was
 * ~25,000); per Fetch it returns one stored batch per partition, and so does the broker here, since a
 * kcat batch (~9,000 records, ~908 KB) nearly fills librdkafka's 1 MiB partition limit
 * (`fetch.message.max.bytes`); both stay under the response limit (`fetch.max.bytes`). Over 1,000,000
 * records a server that delivers faster than kcat prints fills the queue to 100,000 and gets the ~1 s
 * wait however it sizes its responses. So the command is also run with `-c <records the mock
 * returned>` against the broker: the same command over the same record count.
 * `BENCH_BROKER_PROF=<dir>` starts the broker with `--cpu-prof` into that directory; `BENCH_RECORDS` changes
 * the record count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { printJson, printTable } from './report.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VALUE_BYTES = 100;
const PARTITIONS = 4;
const PER_SEND = 1000;
const KCAT_PRODUCE = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000'];
const KCAT_CONSUME = ['-C', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=10'];
const BIN = fileURLToPath(new URL('../bin/tributary.js', import.meta.url));

interface Rate {
  readonly records: number;
  readonly seconds: number;
  readonly perSec: number;
}

function rate(records: number, seconds: number): Rate {
  return { records, seconds, perSec: records / seconds };
}

function sh(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

/** Waits for the first line of `stream` that matches `pattern`; returns the first capture group. */
function lineMatching(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
    const lines = createInterface({ input: child[stream]! });
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`${what}: process exited with ${code}`)));
  });
}

/** Writes `RECORDS` lines of `VALUE_BYTES` characters (newline excluded). */
async function writeInput(file: string): Promise<void> {
  const out = createWriteStream(file);
  const line = 'x'.repeat(VALUE_BYTES - 10);
  const chunk: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    chunk.push(`${String(i).padStart(10, '0')}${line}`);
    if (chunk.length === 10_000 || i === RECORDS - 1) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk.length = 0;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function kcatProduce(bootstrap: string, topic: string, input: string): Promise<Rate> {
  const r = await sh(`kcat -b ${bootstrap} -P -t ${topic} ${KCAT_PRODUCE.join(' ')} < ${input}`);
  if (r.code !== 0) throw new Error(`kcat -P failed (${r.code}): ${r.stderr}`);
  return rate(RECORDS, r.seconds);
}

async function kcatConsume(bootstrap: string, topic: string, extra = ''): Promise<Rate> {
  const r = await sh(`set -o pipefail; kcat -b ${bootstrap} -t ${topic} ${KCAT_CONSUME.join(' ')} ${extra} | wc -l`);
  if (r.code !== 0) throw new Error(`kcat -C failed (${r.code}): ${r.stderr}`);
  return rate(Number(r.stdout.trim()), r.seconds);
}

function median(rates: readonly Rate[]): Rate {
  const sorted = [...rates].sort((a, b) => a.perSec - b.perSec);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** CPU seconds (user + system) a process used so far, from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** Runs `RUNS` times (`run(i)`), returning every rate and the CPU seconds `pid` spent per run. */
async function repeat(pid: number | null, run: (i: number) => Promise<Rate>): Promise<{ rates: Rate[]; cpuPerRun: number }> {
  const rates: Rate[] = [];
  const before = pid === null ? NaN : cpuSeconds(pid);
  for (let i = 0; i < RUNS; i++) rates.push(await run(i));
  const after = pid === null ? NaN : cpuSeconds(pid);
  return { rates, cpuPerRun: (after - before) / RUNS };
}

async function startBroker(dir: string): Promise<{ child: ChildProcess; bootstrap: string }> {
  const prof = process.env.BENCH_BROKER_PROF;
  const node = prof === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', prof];
  const child = spawn(process.execPath, [...node, BIN, 'broker', '--data', dir, '--port', '0', '--flush', 'os'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The broker's warnings and errors, not its INFO lines.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.includes(' INFO ')) console.error(`broker: ${line}`);
  });
  const bootstrap = await lineMatching(child, 'stdout', /^listening on (\S+)$/, 'the broker');
  return { child, bootstrap };
}

async function stopBroker(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Starts librdkafka's mock cluster inside a kcat that idles on an empty topic; returns its bootstrap. */
async function startMock(): Promise<{ child: ChildProcess; bootstrap: string }> {
  const child = spawn('kcat', ['-b', '127.0.0.1:1', '-C', '-t', 'mock-idle', '-X', 'test.mock.num.brokers=1', '-d', 'mock'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const bootstrap = await lineMatching(child, 'stderr', /bootstrap\.servers=(\S+)/, 'the mock cluster');
  child.stderr!.resume();
  return { child, bootstrap };
}

async function kafkajsRun(bootstrap: string): Promise<{ produce: Rate; consume: Rate }> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench', logLevel: logLevel.NOTHING });
  const topic = 'bench-kafkajs';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  const messages = Array.from({ length: PER_SEND }, () => ({ value }));
  const sends = Math.ceil(RECORDS / PER_SEND);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < sends; i++) await producer.send({ topic, messages });
  const produce = rate(sends * PER_SEND, Number(process.hrtime.bigint() - t0) / 1e9);
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'bench-kafkajs', maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const total = sends * PER_SEND;
  let seen = 0;
  let first = 0n;
  const done = new Promise<bigint>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        if (first === 0n) first = process.hrtime.bigint();
        seen += batch.messages.length;
        if (seen >= total) resolve(process.hrtime.bigint());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  return { produce, consume: rate(seen, Number(end - first) / 1e9) };
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-broker-'));
const input = join(dir, 'input.txt');
await writeInput(input);
const topics = Array.from({ length: RUNS }, (_, i) => `bench-kcat-${i}`);

// Reference: librdkafka's mock cluster (auto-creates topics with 4 partitions).
const mock = await startMock();
const mockProduce = await repeat(null, (i) => kcatProduce(mock.bootstrap, topics[i]!, input));
const mockConsume = await repeat(null, (i) => kcatConsume(mock.bootstrap, topics[i]!));
const mockCapacity = await kcatConsume(mock.bootstrap, topics[0]!, '-X queued.min.messages=1000000');
mock.child.kill('SIGTERM');

const broker = await startBroker(join(dir, 'data'));
const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'bench-admin', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })) });
await admin.disconnect();
const brokerPid = broker.child.pid!;
const kcatProduced = await repeat(brokerPid, (i) => kcatProduce(broker.bootstrap, topics[i]!, input));
const kcatConsumed = await repeat(brokerPid, (i) => kcatConsume(broker.bootstrap, topics[i]!));
const kcatCapacity = await kcatConsume(broker.bootstrap, topics[0]!, '-X queued.min.messages=1000000');
// The command over as many records as the mock returned (`-c N` stops there), so both rates cover the same count.
const kcatSameCount = await repeat(null, (i) => kcatConsume(broker.bootstrap, topics[i]!, `-c ${median(mockConsume.rates).records}`));
const kafkajs = await kafkajsRun(broker.bootstrap);
await stopBroker(broker.child);
rmSync(dir, { recursive: true, force: true });

const kcatProduceRate = median(kcatProduced.rates);
const kcatConsumeRate = median(kcatConsumed.rates);
const mockProduceRate = median(mockProduce.rates);
const mockConsumeRate = median(mockConsume.rates);
const runs = (r: { rates: Rate[] }): string => r.rates.map((x) => `${(x.perSec / 1e6).toFixed(2)}M`).join(' ');
const row = (name: string, client: string, r: Rate, target: string): Record<string, string | number> & { name: string } => ({
  name,
  client,
  records: r.records,
  seconds: Number(r.seconds.toFixed(3)),
  'records/s': Math.round(r.perSec),
  'MB/s': (r.perSec * VALUE_BYTES) / 1e6,
  target,
});
const cpuMs = (cpu: number, records: number): number | string => (Number.isNaN(cpu) ? '' : Math.round((cpu * 1e3 * 1e6) / records));
printTable(
  `Broker over loopback: ${RECORDS.toLocaleString('en-US')} records of ${VALUE_BYTES} B, ${PARTITIONS} partitions, flush os; kcat: median of ${RUNS} runs`,
  [
    { ...row('produce (mock cluster)', 'kcat', mockProduceRate, 'reference'), runs: runs(mockProduce), 'broker CPU ms/1M': '' },
    { ...row('produce (broker)', 'kcat', kcatProduceRate, '>= mock'), runs: runs(kcatProduced), 'broker CPU ms/1M': cpuMs(kcatProduced.cpuPerRun, RECORDS) },
    { ...row('consume (mock cluster)', 'kcat', mockConsumeRate, 'reference (5 MiB per partition kept)'), runs: runs(mockConsume), 'broker CPU ms/1M': '' },
    {
      ...row('consume (broker)', 'kcat', kcatConsumeRate, '>= mock'),
      runs: runs(kcatConsumed),
      'broker CPU ms/1M': cpuMs(kcatConsumed.cpuPerRun, kcatConsumeRate.records),
    },
    { ...row('consume, no 1 s refetch stall (mock)', 'kcat', mockCapacity, 'diagnostic: queued.min.messages=1000000'), runs: '', 'broker CPU ms/1M': '' },
    { ...row('consume, no 1 s refetch stall (broker)', 'kcat', kcatCapacity, 'diagnostic: queued.min.messages=1000000'), runs: '', 'broker CPU ms/1M': '' },
    { ...row("consume the mock's record count (broker)", 'kcat', median(kcatSameCount.rates), 'diagnostic: same command, -c <mock records>'), runs: runs(kcatSameCount), 'broker CPU ms/1M': '' },
    { ...row('produce (broker)', 'kafkajs', kafkajs.produce, 'client-bound'), runs: '', 'broker CPU ms/1M': '' },
    { ...row('consume in a group (broker)', 'kafkajs', kafkajs.consume, 'client-bound'), runs: '', 'broker CPU ms/1M': '' },
  ],
);
printJson({
  bench: 'broker',
  records: RECORDS,
  runs: RUNS,
  kcatProducePerSec: Math.round(kcatProduceRate.perSec),
  kcatConsumePerSec: Math.round(kcatConsumeRate.perSec),
  kcatConsumed: kcatConsumeRate.records,
  kcatConsumeRuns: runs(kcatConsumed),
  kcatConsumeNoStallPerSec: Math.round(kcatCapacity.perSec),
  kcatConsumeMockCountPerSec: Math.round(median(kcatSameCount.rates).perSec),
  kcatConsumeMockCountRuns: runs(kcatSameCount),
  mockProducePerSec: Math.round(mockProduceRate.perSec),
  mockConsumePerSec: Math.round(mockConsumeRate.perSec),
  mockConsumed: mockConsumeRate.records,
  mockConsumeRuns: runs(mockConsume),
  mockConsumeNoStallPerSec: Math.round(mockCapacity.perSec),
  kafkajsProducePerSec: Math.round(kafkajs.produce.perSec),
  kafkajsConsumePerSec: Math.round(kafkajs.consume.perSec),
  kcatProduceOfMock: Number((kcatProduceRate.perSec / mockProduceRate.perSec).toFixed(2)),
  kcatConsumeOfMock: Number((kcatConsumeRate.perSec / mockConsumeRate.perSec).toFixed(2)),
  brokerCpuMsPer1MProduced: Math.round((kcatProduced.cpuPerRun * 1e9) / RECORDS),
  brokerCpuMsPer1MConsumed: Math.round((kcatConsumed.cpuPerRun * 1e9) / kcatConsumeRate.records),
});
