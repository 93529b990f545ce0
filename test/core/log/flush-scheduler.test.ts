import { describe, expect, it } from 'vitest';
import { FlushScheduler } from '../../../core/log/flush-scheduler.ts';
import { ManualClock } from '../../../core/time/clock.ts';
import type { FlushPolicy } from '../../../core/log/log-contracts.ts';

/** A sync function whose completions the test triggers by hand. */
function manualSync() {
  const pending: ((error: Error | null) => void)[] = [];
  return {
    pending,
    sync: (done: (error: Error | null) => void) => pending.push(done),
    complete(error: Error | null = null) {
      pending.shift()!(error);
    },
  };
}

function scheduler(policy: FlushPolicy, clock = new ManualClock(0)) {
  const sync = manualSync();
  const durable: number[] = [];
  const flusher = new FlushScheduler({ policy, clock, sync: sync.sync, onDurable: (end) => durable.push(end) });
  return { sync, durable, flusher, clock };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('core/log/flush-scheduler', () => {
  it("'always' group-commits: one fsync in flight; writes during it share the next one", async () => {
    const { sync, durable, flusher } = scheduler({ mode: 'always' });
    const acked: number[] = [];
    flusher.afterWrite(1)!.then(() => acked.push(1));
    expect(sync.pending.length).toBe(1);
    flusher.afterWrite(2)!.then(() => acked.push(2));
    flusher.afterWrite(3)!.then(() => acked.push(3));
    flusher.afterWrite(4)!.then(() => acked.push(4));
    expect(sync.pending.length).toBe(1);
    sync.complete();
    await tick();
    expect(acked).toEqual([1]);
    expect(durable).toEqual([1]);
    expect(sync.pending.length).toBe(1);
    sync.complete();
    await tick();
    expect(acked).toEqual([1, 2, 3, 4]);
    expect(durable).toEqual([1, 4]);
    expect(sync.pending.length).toBe(0);
  });

  it("'always' rejects the acknowledgements an fsync failed for, and does not report them durable", async () => {
    const { sync, durable, flusher } = scheduler({ mode: 'always' });
    const ack = flusher.afterWrite(5)!;
    sync.complete(new Error('EIO'));
    await expect(ack).rejects.toThrow('EIO');
    expect(durable).toEqual([]);
  });

  it("'interval' acknowledges at once and fsyncs when the clock timer fires", async () => {
    const { sync, durable, flusher, clock } = scheduler({ mode: 'interval', intervalMs: 50 });
    expect(flusher.afterWrite(1)).toBeNull();
    expect(flusher.afterWrite(2)).toBeNull();
    clock.advance(49);
    expect(sync.pending.length).toBe(0);
    clock.advance(1);
    expect(sync.pending.length).toBe(1);
    sync.complete();
    await tick();
    expect(durable).toEqual([2]);
    flusher.afterWrite(3);
    flusher.stop();
    clock.advance(1_000);
    expect(sync.pending.length).toBe(0);
  });

  it("'os' never fsyncs by itself; flush() forces one under every policy", async () => {
    const { sync, durable, flusher, clock } = scheduler({ mode: 'os' });
    expect(flusher.afterWrite(9)).toBeNull();
    clock.advance(1_000_000);
    expect(sync.pending.length).toBe(0);
    const flushed = flusher.flush(9);
    sync.complete();
    await flushed;
    expect(durable).toEqual([9]);
  });
});
