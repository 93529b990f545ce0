/**
 * LogRecordCollector: one send in flight at a time, so records keep their order per partition. kafkajs
 * does not order concurrent sendBatch calls (a later send overtook an earlier one: a changelog's newest
 * value landed before older ones and a restore ended on an older value, losing updates after a worker
 * was killed).
 */
import { describe, expect, it } from 'vitest';
import type { Admin, ProducerBatch, RecordMetadata } from '../../../core/clients/log-client.ts';
import { LogRecordCollector } from '../../../core/runtime/log-record-collector.ts';
import type { ProducerSender } from '../../../core/runtime/streams-producer.ts';

/** A sender whose sends settle when the test says so. */
class ManualSender implements ProducerSender {
  readonly batches: string[][] = [];
  private readonly settle: Array<(ok: boolean) => void> = [];
  private offset = 0;

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const values = batch.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value)));
    this.batches.push(values);
    const baseOffset = this.offset;
    this.offset += values.length;
    return new Promise((resolve, reject) => {
      this.settle.push((ok) => (ok ? resolve([{ topicName: 'changelog', partition: 0, errorCode: 0, baseOffset: String(baseOffset), logAppendTime: '-1', logStartOffset: '0' }]) : reject(new Error('send failed'))));
    });
  }

  /** Settles the oldest unsettled send. */
  async complete(ok = true): Promise<void> {
    this.settle.shift()!(ok);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

function collector(sender: ManualSender, onError: () => 'continue' | 'fail' = () => 'continue'): LogRecordCollector {
  const c = new LogRecordCollector(sender, {} as Admin, onError);
  c.trackOffsets('changelog');
  return c;
}

const send = (c: LogRecordCollector, v: string): void => c.send('changelog', Buffer.from('k'), Buffer.from(v), [], 0, 0);

describe('LogRecordCollector', () => {
  it('keeps one send in flight: records handed in meanwhile go out together, after it, in order', async () => {
    const sender = new ManualSender();
    const c = collector(sender);
    send(c, '1');
    c.sendBuffered();
    send(c, '2');
    c.sendBuffered();
    send(c, '3');
    c.sendBuffered();
    expect(sender.batches).toEqual([['1']]);
    expect(c.pending).toBe(3);
    await sender.complete();
    expect(sender.batches).toEqual([['1'], ['2', '3']]);
    expect(c.lastOffset('changelog', 0)).toBe(0);
    await sender.complete();
    expect(c.lastOffset('changelog', 0)).toBe(2);
    expect(c.pending).toBe(0);
  });

  it('flush waits for the sends queued behind the one in flight', async () => {
    const sender = new ManualSender();
    const c = collector(sender);
    send(c, 'a');
    c.sendBuffered();
    send(c, 'b');
    let flushed = false;
    const flushing = c.flush().then(() => (flushed = true));
    await sender.complete();
    expect(sender.batches).toEqual([['a'], ['b']]);
    expect(flushed).toBe(false);
    await sender.complete();
    await flushing;
    expect(flushed).toBe(true);
    expect(c.lastOffset('changelog', 0)).toBe(1);
  });

  it('a failed send still lets the next one go (the handler decides about the failure)', async () => {
    const sender = new ManualSender();
    const c = collector(sender, () => 'fail');
    send(c, 'x');
    c.sendBuffered();
    send(c, 'y');
    c.sendBuffered();
    await sender.complete(false);
    expect(sender.batches).toEqual([['x'], ['y']]);
    await sender.complete();
    await expect(c.flush()).rejects.toThrow();
  });
});
