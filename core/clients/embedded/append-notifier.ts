/**
 * Wakes waiting consumers when records are appended, without polling: each waited-for (partition,
 * offset) pair holds one {@link PartitionLogApi.waitForData} registration, shared by every consumer and
 * fetch waiting on it; waiters subscribe a callback and unsubscribe when their wait ends, so repeated
 * waits on idle partitions do not pile up registrations. A read_committed target waits for the last
 * stable offset instead of the high watermark (a commit or abort marker moves it).
 */
import type { IsolationLevel, PartitionLogApi } from '../../log/log-contracts.ts';
import type { Clock } from '../../time/clock.ts';
import type { WakeSignal } from './wake-signal.ts';

/** A partition and the offset a waiter needs data at. */
export interface WaitTarget {
  readonly log: PartitionLogApi;
  readonly offset: number;
  /** `read_committed`: wait for the last stable offset to pass `offset`. Default `read_uncommitted`. */
  readonly isolation?: IsolationLevel;
}

function isReady(t: WaitTarget): boolean {
  return (t.isolation === 'read_committed' ? t.log.lastStableOffset : t.log.highWatermark) > t.offset;
}

class Registration {
  readonly listeners = new Set<() => void>();
}

/**
 * Shared append wake-ups for one embedded log.
 *
 * @example
 * const notifier = new AppendNotifier(clock);
 * await notifier.waitForAny([{ log, offset: log.highWatermark }], 5000); // woken by the next append
 */
export class AppendNotifier {
  private readonly registrations = new Map<PartitionLogApi, Map<number, Registration>>();
  private readonly committedRegistrations = new Map<PartitionLogApi, Map<number, Registration>>();

  constructor(private readonly clock: Clock) {}

  /**
   * Resolves once any target's high watermark (read_committed: last stable offset) is beyond its offset
   * (at once if one already is), after `timeoutMs`, or when `signal` is woken. Never rejects.
   */
  waitForAny(targets: readonly WaitTarget[], timeoutMs: number, signal?: WakeSignal): Promise<void> {
    for (const t of targets) if (isReady(t)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const subscribed: { set: Set<() => void> }[] = [];
      let timer: ReturnType<Clock['setTimeout']> | null = null;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        if (timer !== null) this.clock.clearTimeout(timer);
        for (const s of subscribed) s.set.delete(finish);
        signal?.disarm(finish);
        resolve();
      };
      if (signal !== undefined && signal.arm(finish)) {
        finished = true;
        resolve();
        return;
      }
      for (const t of targets) subscribed.push({ set: this.subscribe(t, timeoutMs, finish) });
      if (!finished) timer = this.clock.setTimeout(finish, timeoutMs);
    });
  }

  /** Number of live registrations (for tests: idle waits must not accumulate). */
  get registrationCount(): number {
    let n = 0;
    for (const byOffset of this.registrations.values()) n += byOffset.size;
    for (const byOffset of this.committedRegistrations.values()) n += byOffset.size;
    return n;
  }

  private subscribe(target: WaitTarget, timeoutMs: number, listener: () => void): Set<() => void> {
    const { log, offset, isolation } = target;
    const registrations = isolation === 'read_committed' ? this.committedRegistrations : this.registrations;
    let byOffset = registrations.get(log);
    if (byOffset === undefined) {
      byOffset = new Map();
      registrations.set(log, byOffset);
    }
    let registration = byOffset.get(offset);
    if (registration === undefined) {
      const created = new Registration();
      registration = created;
      byOffset.set(offset, created);
      const settle = (): void => {
        const current = registrations.get(log);
        if (current?.get(offset) === created) {
          current.delete(offset);
          if (current.size === 0) registrations.delete(log);
        }
        for (const l of [...created.listeners]) l();
      };
      (isolation === 'read_committed' ? log.waitForData(offset, timeoutMs, isolation) : log.waitForData(offset, timeoutMs)).then(settle, settle);
    }
    registration.listeners.add(listener);
    return registration.listeners;
  }
}
