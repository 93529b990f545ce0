/**
 * Scheduled punctuations of one task and one time kind (stream time or wall-clock time), as Kafka
 * Streams' `PunctuationQueue`: ordered by due time; {@link PunctuationQueue.mayPunctuate} fires every
 * schedule that is due at most once, then reschedules it past the given time, skipping missed intervals.
 */
import type { Cancellable, Punctuator } from '../processor/processor-context.ts';

/** One scheduled punctuation. `owner` is the node that scheduled it (the runtime forwards from it). */
export class PunctuationSchedule<N = unknown> implements Cancellable {
  cancelled = false;

  constructor(
    readonly owner: N,
    /** The next due time (ms of stream time or wall-clock time). */
    public due: number,
    readonly interval: number,
    readonly punctuator: Punctuator,
  ) {}

  /** Stops future punctuations of this schedule. */
  cancel(): void {
    this.cancelled = true;
  }

  /**
   * Moves `due` to the first multiple of `interval` after `time` (Kafka: missed punctuations are not
   * replayed one by one; the schedule stays aligned to its start).
   */
  advancePast(time: number): void {
    let next = this.due + this.interval;
    if (time >= next) next = this.due + (Math.floor((time - this.due) / this.interval) + 1) * this.interval;
    this.due = next;
  }
}

/**
 * A due-time ordered list of schedules (ties: the order they were scheduled).
 *
 * @example
 * const q = new PunctuationQueue<string>();
 * q.schedule(new PunctuationSchedule('node', 0, 10, (t) => console.log('at', t)));
 * q.mayPunctuate(25, (s, t) => s.punctuator(t)); // prints "at 25"; next due 30
 */
export class PunctuationQueue<N = unknown> {
  private readonly list: PunctuationSchedule<N>[] = [];

  /** Adds a schedule. */
  schedule(s: PunctuationSchedule<N>): PunctuationSchedule<N> {
    this.insert(s);
    return s;
  }

  /** Due time of the earliest live schedule, or Infinity. */
  nextDue(): number {
    while (this.list.length > 0 && this.list[0]!.cancelled) this.list.shift();
    return this.list.length === 0 ? Infinity : this.list[0]!.due;
  }

  /** Number of live schedules. */
  get size(): number {
    let n = 0;
    for (const s of this.list) if (!s.cancelled) n++;
    return n;
  }

  /**
   * Fires (through `run`) every schedule due at `time`, each at most once, in due order, then
   * reschedules it. A schedule cancelled by an earlier punctuation in the same call does not fire.
   * @returns whether anything fired
   */
  mayPunctuate(time: number, run: (schedule: PunctuationSchedule<N>, time: number) => void): boolean {
    if (this.list.length === 0 || this.list[0]!.due > time) return false;
    const due: PunctuationSchedule<N>[] = [];
    while (this.list.length > 0 && this.list[0]!.due <= time) due.push(this.list.shift()!);
    let fired = false;
    for (const s of due) {
      if (s.cancelled) continue;
      s.advancePast(time);
      this.insert(s);
      fired = true;
      run(s, time);
    }
    return fired;
  }

  /** Drops every schedule. */
  clear(): void {
    this.list.length = 0;
  }

  private insert(s: PunctuationSchedule<N>): void {
    let i = this.list.length;
    while (i > 0 && this.list[i - 1]!.due > s.due) i--;
    this.list.splice(i, 0, s);
  }
}
