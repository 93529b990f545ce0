/**
 * Long-poll support for {@link PartitionLogApi.waitForData}: callers waiting for the high watermark to
 * pass an offset. The log wakes them when it moves the high watermark (no polling); each waiter also has
 * a clock timeout.
 */
import type { Clock, TimerHandle } from '../time/clock.ts';

interface Waiter {
  readonly offset: number;
  readonly resolve: () => void;
  timer: TimerHandle | null;
}

/**
 * Waiters on one partition's high watermark.
 *
 * @example
 * const waiters = new DataWaiters(clock);
 * const ready = waiters.wait(10, 500); // resolves when wake(11+) is called, or after 500 ms
 * waiters.wake(11);
 */
export class DataWaiters {
  private readonly clock: Clock;
  private waiters: Waiter[] = [];

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Number of callers waiting. */
  get size(): number {
    return this.waiters.length;
  }

  /** Resolves when {@link wake} is called with a high watermark > `offset`, on {@link wakeAll}, or after `timeoutMs`. */
  wait(offset: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { offset, resolve, timer: null };
      waiter.timer = this.clock.setTimeout(() => {
        waiter.timer = null;
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      }, Math.max(0, timeoutMs));
      this.waiters.push(waiter);
    });
  }

  /** Resolves every waiter whose offset is below `highWatermark`. */
  wake(highWatermark: number): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    const ready: Waiter[] = [];
    for (const w of this.waiters) (w.offset < highWatermark ? ready : keep).push(w);
    if (ready.length === 0) return;
    this.waiters = keep;
    for (const w of ready) this.release(w);
  }

  /** Resolves every waiter (the log is closing). */
  wakeAll(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) this.release(w);
  }

  private release(w: Waiter): void {
    if (w.timer !== null) this.clock.clearTimeout(w.timer);
    w.timer = null;
    w.resolve();
  }
}
