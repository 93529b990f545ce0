/**
 * Transactions survive a broker crash: a broker process SIGKILLed with one committed and one open kafkajs
 * transaction restarts on the same directory; the committed records stay readable, the open transaction
 * holds read_committed readers at the last stable offset until the restarted coordinator aborts it at its
 * timeout, and its records are never delivered to them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBrokerDir } from '../../fixtures/broker-harness.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/broker-child.ts');

function startBroker(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'always'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening (\d+)$/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}: ${stderr}`)));
  });
}

describe('core/broker in a process: transactions across a crash', () => {
  const dirs: string[] = [];
  const running: ChildProcess[] = [];
  const clients: { disconnect(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.disconnect()));
    for (const c of running.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('SIGKILL with an open transaction: after restart it is aborted at its timeout and readers continue without it', async () => {
    const dir = makeBrokerDir();
    dirs.push(dir);
    const first = await startBroker(dir);
    running.push(first.child);
    const kafka1 = new Kafka({ brokers: [`127.0.0.1:${first.port}`], clientId: 'before', logLevel: logLevel.NOTHING });
    const admin = kafka1.admin();
    clients.push(admin);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crash-tx', numPartitions: 1 }] });
    const producer = kafka1.producer({ transactionalId: 'crashing', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 3000 });
    clients.push(producer);
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'crash-tx', messages: [{ value: 'before-1' }, { value: 'before-2' }] });
    await committed.commit();
    const open = await producer.transaction();
    await open.send({ topic: 'crash-tx', messages: [{ value: 'lost-1' }] });
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await Promise.allSettled(clients.splice(0).map((c) => c.disconnect()));

    const second = await startBroker(dir);
    running.push(second.child);
    const kafka2 = new Kafka({ brokers: [`127.0.0.1:${second.port}`], clientId: 'after', logLevel: logLevel.NOTHING });
    const survivor = kafka2.producer({ transactionalId: 'survivor', idempotent: true, maxInFlightRequests: 1 });
    clients.push(survivor);
    await survivor.connect();
    const txn = await survivor.transaction();
    await txn.send({ topic: 'crash-tx', messages: [{ value: 'after-1' }] });
    await txn.commit();

    const consumer = kafka2.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: ['crash-tx'], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    const deadline = Date.now() + 20_000;
    while (values.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(values).toEqual(['before-1', 'before-2', 'after-1']);
  });
});
