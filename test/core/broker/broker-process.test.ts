import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { LogManager } from '../../../core/log/log-manager.ts';
import { CLEAN_SHUTDOWN_FILE } from '../../../core/log/partition-log-loader.ts';
import { decodeRecords, forEachBatch } from '../../../core/log/record-batch.ts';
import { makeBrokerDir } from '../../fixtures/broker-harness.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '../../..');
const CHILD = path.join(ROOT, 'test/fixtures/broker-child.ts');
const CLI = path.join(ROOT, 'cli/main.ts');

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<number | null>;
}

function start(args: string[], pattern: RegExp): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = pattern.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), exited });
      }
    });
    void exited.then((code) => reject(new Error(`broker exited with ${code} before listening: ${stderr}`)));
  });
}

async function readAll(dir: string, topic: string): Promise<{ values: string[]; cleanShutdown: boolean[] }> {
  const logs = await LogManager.open({ dir, logger: { info: () => undefined, warn: () => undefined } });
  try {
    const values: string[] = [];
    const described = logs.describeTopic(topic)!;
    for (let p = 0; p < described.numPartitions; p++) {
      const log = logs.partition(topic, p);
      let offset = log.logStartOffset;
      while (offset < log.highWatermark) {
        const { records } = log.read(offset, 1 << 20);
        forEachBatch(records, (position, header) => {
          for (const r of decodeRecords(records, position)) values.push(r.value!.toString());
          offset = header.lastOffset + 1;
        });
      }
    }
    return { values, cleanShutdown: logs.recoveryReports.filter((r) => r.topic === topic).map((r) => r.cleanShutdown) };
  } finally {
    await logs.close();
  }
}

describe('core/broker in a process', () => {
  const dirs: string[] = [];
  const running: ChildProcess[] = [];
  afterEach(() => {
    for (const c of running.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('tributary broker shuts down gracefully on SIGTERM with clients connected: flushed, clean-shutdown markers, lock released', async () => {
    const dir = makeBrokerDir();
    dirs.push(dir);
    const broker = await start([CLI, 'broker', '--data', dir, '--port', '0'], /^listening on 127\.0\.0\.1:(\d+)$/);
    running.push(broker.child);
    const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'sigterm', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 200 }, (_, i) => `v${i}`);
    await producer.send({ topic: 'durable', acks: 1, messages: values.map((value) => ({ value })) });
    const consumer = kafka.consumer({ groupId: 'connected', maxWaitTimeInMs: 5_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['durable'], fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    const until = Date.now() + 20_000;
    while (seen < values.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));

    broker.child.kill('SIGTERM');
    expect(await broker.exited).toBe(0);
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);

    for (const p of [0, 1]) expect(fs.existsSync(path.join(dir, `durable-${p}`, CLEAN_SHUTDOWN_FILE))).toBe(true);
    const { values: stored, cleanShutdown } = await readAll(dir, 'durable');
    expect(stored.sort()).toEqual([...values].sort());
    expect(cleanShutdown).toEqual([true, true]);
  });

  it('after SIGKILL, the restarted broker serves every record acknowledged with acks=-1 under the always flush policy', async () => {
    const dir = makeBrokerDir();
    dirs.push(dir);
    const first = await start([CHILD, dir, 'always'], /^listening (\d+)$/);
    running.push(first.child);
    const kafka = new Kafka({ brokers: [`127.0.0.1:${first.port}`], clientId: 'sigkill', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'acked', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();

    const acknowledged: string[] = [];
    let killed = false;
    const loops = Array.from({ length: 4 }, async (_, loop) => {
      for (let i = 0; !killed; i++) {
        const messages = Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `l${loop}-s${i}-m${j}` }));
        try {
          await producer.send({ topic: 'acked', acks: -1, messages });
          acknowledged.push(...messages.map((m) => m.value));
        } catch {
          return; // the broker is gone
        }
      }
    });
    while (acknowledged.length < 2_000) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    killed = true;
    expect(await first.exited).toBe(null);
    await Promise.all(loops);
    await producer.disconnect().catch(() => undefined);

    const second = await start([CHILD, dir, 'always'], /^listening (\d+)$/);
    running.push(second.child);
    const again = new Kafka({ brokers: [`127.0.0.1:${second.port}`], clientId: 'after-kill', logLevel: logLevel.NOTHING });
    const consumer = again.consumer({ groupId: 'verify', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['acked'], fromBeginning: true });
    const served = new Set<string>();
    await consumer.run({ eachMessage: async ({ message }) => void served.add(message.value!.toString()) });
    const until = Date.now() + 20_000;
    while (acknowledged.some((v) => !served.has(v)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(acknowledged.length).toBeGreaterThanOrEqual(2_000);
    expect(acknowledged.filter((v) => !served.has(v))).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
