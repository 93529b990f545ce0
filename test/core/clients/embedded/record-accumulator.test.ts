import { describe, expect, it } from 'vitest';
import { RecordAccumulator, estimateRecordSize, type ProducerBatch } from '../../../../core/clients/embedded/record-accumulator.ts';
import type { AppendResult } from '../../../../core/log/log-contracts.ts';
import { ManualClock } from '../../../../core/time/clock.ts';
import { ClosedError } from '../../../../core/errors/log-errors.ts';

function record(value: string) {
  return { key: null, value: Buffer.from(value), timestamp: 0 };
}

/** A sender that records batches and acknowledges them when told. */
function manualSender() {
  const sent: { batch: ProducerBatch; ack: () => void }[] = [];
  let next = 0;
  const send = (batch: ProducerBatch) =>
    new Promise<AppendResult>((resolve) => {
      const baseOffset = next;
      next += batch.records.length;
      sent.push({
        batch,
        ack: () => resolve({ baseOffset, lastOffset: next - 1, logAppendTime: -1, recordCount: batch.records.length, duplicate: false }),
      });
    });
  return { sent, send };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('core/clients/embedded/record-accumulator', () => {
  it('holds a batch for lingerMs, then sends it once', async () => {
    const clock = new ManualClock(0);
    const { sent, send } = manualSender();
    const acc = new RecordAccumulator({ lingerMs: 10, batchSize: 1 << 20, clock, send });
    const a = acc.append('t', 0, record('a'), 'none');
    const b = acc.append('t', 0, record('b'), 'none');
    expect(a.batch).toBe(b.batch);
    expect([a.index, b.index]).toEqual([0, 1]);
    clock.advance(9);
    expect(sent).toHaveLength(0);
    clock.advance(1);
    expect(sent).toHaveLength(1);
    sent[0]!.ack();
    expect((await a.batch.done).baseOffset).toBe(0);
  });

  it('keeps one batch in flight per partition; records arriving meanwhile coalesce into the next batch', async () => {
    const { sent, send } = manualSender();
    const closed: string[] = [];
    const acc = new RecordAccumulator({ lingerMs: 0, batchSize: 1 << 20, clock: new ManualClock(0), send, onBatchClosed: (t, p) => void closed.push(`${t}-${p}`) });
    acc.append('t', 0, record('a'), 'none');
    acc.flush('t', 0);
    expect(sent).toHaveLength(1);
    acc.append('t', 0, record('b'), 'none');
    acc.flush('t', 0);
    acc.append('t', 0, record('c'), 'none');
    acc.flush('t', 0);
    acc.append('t', 1, record('other partition'), 'none');
    acc.flush('t', 1);
    expect(sent.map((s) => s.batch.partition)).toEqual([0, 1]);
    sent[0]!.ack();
    await tick();
    expect(sent.map((s) => s.batch.records.map((r) => r.value!.toString()))).toEqual([['a'], ['other partition'], ['b', 'c']]);
    expect(closed).toEqual(['t-0', 't-1', 't-0']);
  });

  it('closes a batch when the next record would pass batchSize or changes compression', async () => {
    const { sent, send } = manualSender();
    const value = 'x'.repeat(100);
    const size = estimateRecordSize(record(value));
    const acc = new RecordAccumulator({ lingerMs: 0, batchSize: 61 + 2 * size, clock: new ManualClock(0), send });
    const first = acc.append('t', 0, record(value), 'none');
    acc.append('t', 0, record(value), 'none'); // full: sent at once
    expect(sent).toHaveLength(1);
    const third = acc.append('t', 0, record(value), 'none');
    const gz = acc.append('t', 0, record(value), 'gzip');
    expect(third.batch).not.toBe(first.batch);
    expect(gz.batch).not.toBe(third.batch);
    expect(gz.batch.compression).toBe('gzip');
    const flushed = acc.flushAll();
    for (let i = 0; i < 3; i++) {
      sent[i]!.ack();
      await tick();
    }
    await flushed;
    expect(sent.map((s) => s.batch.records.length)).toEqual([2, 1, 1]);
  });

  it('settles a batch with the sender error, and refuses records after close', async () => {
    const acc = new RecordAccumulator({
      lingerMs: 0,
      batchSize: 1 << 20,
      clock: new ManualClock(0),
      send: () => Promise.reject(new Error('disk full')),
    });
    const { batch } = acc.append('t', 0, record('a'), 'none');
    acc.flush('t', 0);
    await expect(batch.done).rejects.toThrow('disk full');
    await acc.close();
    expect(() => acc.append('t', 0, record('b'), 'none')).toThrow(ClosedError);
  });
});
