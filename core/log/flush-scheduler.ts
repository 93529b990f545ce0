/**
 * When a partition log fsyncs, per its {@link FlushPolicy}:
 *
 * - `always`: group commit. At most one fsync is in flight; it covers every append written before it
 *   started. Appends written while it runs wait for the next one, which starts as soon as it completes.
 *   The high watermark moves only when an fsync completes.
 * - `interval`: an fsync runs `intervalMs` after the first unflushed write (clock timer); appends are
 *   acknowledged at once.
 * - `os`: no explicit fsync (the log fsyncs on roll and close); appends are acknowledged at once.
 *
 * {@link FlushScheduler.flush} forces an fsync under every policy.
 */
import type { Clock, TimerHandle } from '../time/clock.ts';
import type { FlushPolicy } from './log-contracts.ts';

/** Starts an fsync of everything written so far; calls `done` with null or the error. */
export type SyncFunction = (done: (error: Error | null) => void) => void;

interface SyncWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Options of {@link FlushScheduler}. */
export interface FlushSchedulerOptions {
  readonly policy: FlushPolicy;
  readonly clock: Clock;
  /** Runs an fsync of the active segment. */
  readonly sync: SyncFunction;
  /** Told the end offset an fsync made durable (moves the high watermark under `always`). */
  readonly onDurable: (endOffset: number) => void;
  /** Told about an fsync failure nobody waits for (interval flushes). */
  readonly onBackgroundError?: (error: Error) => void;
}

/**
 * Decides when to fsync and resolves acknowledgements accordingly.
 *
 * @example
 * const flusher = new FlushScheduler({ policy: { mode: 'always' }, clock, sync, onDurable });
 * writeSync(fd, batch, ...);
 * await flusher.afterWrite(endOffset); // resolved after an fsync that covers the write
 */
export class FlushScheduler {
  private readonly options: FlushSchedulerOptions;
  private waiting: SyncWaiter[] = [];
  private waitingEnd = 0;
  private inFlight = false;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private lastWrittenEnd = 0;

  constructor(options: FlushSchedulerOptions) {
    this.options = options;
  }

  /** Whether an acknowledgement waits for an fsync (`always`). */
  get acksAfterSync(): boolean {
    return this.options.policy.mode === 'always';
  }

  /**
   * Called after records up to `endOffset` were written to the OS. Under `always` returns a promise
   * resolved once an fsync covers them; otherwise schedules the interval fsync (if any) and returns null.
   */
  afterWrite(endOffset: number): Promise<void> | null {
    this.lastWrittenEnd = endOffset;
    const policy = this.options.policy;
    if (policy.mode === 'always') return this.requestSync(endOffset);
    if (policy.mode === 'interval' && this.timer === null && !this.stopped) {
      this.timer = this.options.clock.setTimeout(() => {
        this.timer = null;
        this.requestSync(this.lastWrittenEnd).catch((error: Error) => this.options.onBackgroundError?.(error));
      }, policy.intervalMs);
    }
    return null;
  }

  /** Forces an fsync covering everything written so far (up to `endOffset`). */
  flush(endOffset: number): Promise<void> {
    return this.requestSync(Math.max(endOffset, this.lastWrittenEnd));
  }

  /** Cancels the interval timer; later writes schedule none. Pending syncs still complete. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) {
      this.options.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private requestSync(endOffset: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (endOffset > this.waitingEnd) this.waitingEnd = endOffset;
      if (!this.inFlight) this.startSync();
    });
  }

  private startSync(): void {
    const waiters = this.waiting;
    const end = this.waitingEnd;
    this.waiting = [];
    this.inFlight = true;
    this.options.sync((error) => {
      this.inFlight = false;
      if (error === null) this.options.onDurable(end);
      for (const w of waiters) {
        if (error === null) w.resolve();
        else w.reject(error);
      }
      if (this.waiting.length > 0) this.startSync();
    });
  }
}
