import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendNotifier } from '../../../../core/clients/embedded/append-notifier.ts';
import { WakeSignal } from '../../../../core/clients/embedded/wake-signal.ts';
import type { PartitionLogApi } from '../../../../core/log/log-contracts.ts';
import { PartitionLog } from '../../../../core/log/partition-log.ts';
import { encodeRecordBatch } from '../../../../core/log/record-batch.ts';
import { DEFAULT_TOPIC_CONFIG } from '../../../../core/log/topic-config.ts';
import { ManualClock } from '../../../../core/time/clock.ts';

/** A partition log reduced to what the notifier uses: the high watermark and waitForData. */
class FakeLog {
  highWatermark = 0;
  registrations = 0;
  private waiters: { offset: number; resolve: () => void }[] = [];
  constructor(private readonly clock: ManualClock) {}
  waitForData(offset: number, timeoutMs: number): Promise<void> {
    this.registrations++;
    if (this.highWatermark > offset) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { offset, resolve };
      this.waiters.push(w);
      this.clock.setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve();
      }, timeoutMs);
    });
  }
  append(n: number): void {
    this.highWatermark += n;
    const ready = this.waiters.filter((w) => w.offset < this.highWatermark);
    this.waiters = this.waiters.filter((w) => w.offset >= this.highWatermark);
    for (const w of ready) w.resolve();
  }
  get pending(): number {
    return this.waiters.length;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('core/clients/embedded/append-notifier', () => {
  it('resolves at once when data is there, on the append otherwise, and on timeout', async () => {
    const clock = new ManualClock(0);
    const notifier = new AppendNotifier(clock);
    const a = new FakeLog(clock);
    const b = new FakeLog(clock);
    a.highWatermark = 1;
    await notifier.waitForAny([{ log: a as unknown as PartitionLogApi, offset: 0 }], 1000);
    let woke = false;
    const waiting = notifier.waitForAny(
      [
        { log: a as unknown as PartitionLogApi, offset: 1 },
        { log: b as unknown as PartitionLogApi, offset: 0 },
      ],
      1000,
    ).then(() => (woke = true));
    await tick();
    expect(woke).toBe(false);
    b.append(1);
    await waiting;
    let timedOut = false;
    const idle = notifier.waitForAny([{ log: a as unknown as PartitionLogApi, offset: 1 }], 500).then(() => (timedOut = true));
    clock.advance(499);
    await tick();
    expect(timedOut).toBe(false);
    clock.advance(1);
    await idle;
  });

  it('shares one registration per partition and offset across repeated idle waits', async () => {
    const clock = new ManualClock(0);
    const notifier = new AppendNotifier(clock);
    const idleLog = new FakeLog(clock);
    const busy = new FakeLog(clock);
    for (let i = 0; i < 100; i++) {
      const wait = notifier.waitForAny(
        [
          { log: idleLog as unknown as PartitionLogApi, offset: 0 },
          { log: busy as unknown as PartitionLogApi, offset: i },
        ],
        5000,
      );
      busy.append(1);
      await wait;
    }
    expect(idleLog.registrations).toBe(1);
    expect(idleLog.pending).toBe(1);
    expect(notifier.registrationCount).toBe(1);
    clock.advance(5000);
    await tick();
    expect(notifier.registrationCount).toBe(0);
  });

  it('is interrupted by a WakeSignal, also one raised before the wait began', async () => {
    const clock = new ManualClock(0);
    const notifier = new AppendNotifier(clock);
    const log = new FakeLog(clock) as unknown as PartitionLogApi;
    const signal = new WakeSignal();
    const waiting = notifier.waitForAny([{ log, offset: 0 }], 10_000, signal);
    signal.wake();
    await waiting;
    signal.wake();
    await notifier.waitForAny([{ log, offset: 0 }], 10_000, signal);
  });

  it('read_committed targets wait for the last stable offset: appends inside an open transaction do not wake them, its marker does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'append-notifier-'));
    const clock = new ManualClock(0);
    const log = await PartitionLog.open({ dir, topic: 't', partition: 0, config: DEFAULT_TOPIC_CONFIG, clock, flushPolicy: { mode: 'os' } });
    try {
      const notifier = new AppendNotifier(clock);
      await log.append(encodeRecordBatch([{ key: null, value: Buffer.from('a'), timestamp: 0 }], { producerId: 1, producerEpoch: 0, baseSequence: 0, isTransactional: true }));
      expect(log.highWatermark).toBe(1);
      expect(log.lastStableOffset).toBe(0);
      // Uncommitted readers have data at once; committed ones wait.
      await notifier.waitForAny([{ log, offset: 0 }], 10_000);
      let woke = false;
      const waiting = notifier.waitForAny([{ log, offset: 0, isolation: 'read_committed' }], 10_000).then(() => (woke = true));
      await log.append(encodeRecordBatch([{ key: null, value: Buffer.from('b'), timestamp: 0 }], { producerId: 1, producerEpoch: 0, baseSequence: 1, isTransactional: true }));
      await tick();
      expect(woke).toBe(false);
      expect(notifier.registrationCount).toBe(1);
      await log.appendTxnMarker(1, 0, true, 0);
      await waiting;
      expect(woke).toBe(true);
      expect(log.lastStableOffset).toBe(3);
      expect(notifier.registrationCount).toBe(0);
    } finally {
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
