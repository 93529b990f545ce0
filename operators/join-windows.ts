/**
 * The window of a stream-stream join (Kafka Streams' `JoinWindows`): a left record at time `t` joins
 * every right record with the same key whose timestamp lies in `[t - before, t + after]` (so a right
 * record at `t` joins left records in `[t - after, t + before]`). `ofTimeDifference*` sets both sides to
 * the same difference; `before` / `after` change one side.
 *
 * Timing, as in Kafka Streams (see `KStreamKStreamJoin`), with stream time the largest timestamp the
 * join has seen:
 * - a left/outer join emits a left record that found no partner with a null side once stream time
 *   passes `t + after + grace` (a right record of an outer join: `t + before + grace`), never before;
 * - each side's window store keeps records for `before + after + grace` behind its own latest record
 *   ({@link JoinWindows.retentionMs}): a late record is still joined with the partners its window
 *   finds there, and is itself kept only if that retention still covers it.
 */
import { InvalidArgumentError } from '../core/errors/log-errors.ts';
import { toMillis, type Duration } from '../core/time/duration.ts';

/** A signed duration: negative numbers of milliseconds are allowed (a window that excludes `t`). */
function signedMillis(d: Duration, what: string): number {
  if (typeof d === 'number' && Number.isFinite(d) && d < 0) return -toMillis(-d, what);
  return toMillis(d, what);
}

/**
 * A join window specification.
 *
 * @example
 * JoinWindows.ofTimeDifferenceWithNoGrace('10m');           // [t - 10m, t + 10m]
 * JoinWindows.ofTimeDifferenceAndGrace('5s', '1s').before(0); // right records up to 5s after the left one
 */
export class JoinWindows {
  readonly kind = 'join' as const;

  private constructor(
    /** How far before a left record's timestamp a right record may lie. */
    readonly beforeMs: number,
    /** How far after a left record's timestamp a right record may lie. */
    readonly afterMs: number,
    /** How long after its window ends a record is still accepted. */
    readonly graceMs: number,
  ) {}

  /**
   * Records join when their timestamps differ by at most `timeDifference`; no grace period (a window
   * closes as soon as stream time passes its end).
   *
   * @throws InvalidArgumentError for a negative or malformed duration
   * @example
   * JoinWindows.ofTimeDifferenceWithNoGrace('10m');
   */
  static ofTimeDifferenceWithNoGrace(timeDifference: Duration): JoinWindows {
    const ms = toMillis(timeDifference, 'join time difference');
    return new JoinWindows(ms, ms, 0);
  }

  /**
   * Records join when their timestamps differ by at most `timeDifference`; records up to `grace` late
   * (after their window ended) are still accepted.
   *
   * @throws InvalidArgumentError for a negative or malformed duration
   * @example
   * JoinWindows.ofTimeDifferenceAndGrace('10m', '1m');
   */
  static ofTimeDifferenceAndGrace(timeDifference: Duration, grace: Duration): JoinWindows {
    const ms = toMillis(timeDifference, 'join time difference');
    return new JoinWindows(ms, ms, toMillis(grace, 'grace period'));
  }

  /**
   * The same windows with another `before`: right records may lie up to `timeDifference` before the
   * left record (a negative number of ms moves the window's start after `t`).
   *
   * @throws InvalidArgumentError when the window would be empty (`before + after < 0`)
   * @example
   * JoinWindows.ofTimeDifferenceWithNoGrace('5m').before(0); // right records in [t, t + 5m]
   */
  before(timeDifference: Duration): JoinWindows {
    return JoinWindows.checked(signedMillis(timeDifference, 'join window before'), this.afterMs, this.graceMs);
  }

  /**
   * The same windows with another `after`: right records may lie up to `timeDifference` after the left
   * record (a negative number of ms moves the window's end before `t`).
   *
   * @throws InvalidArgumentError when the window would be empty (`before + after < 0`)
   * @example
   * JoinWindows.ofTimeDifferenceWithNoGrace('5m').after(0); // right records in [t - 5m, t]
   */
  after(timeDifference: Duration): JoinWindows {
    return JoinWindows.checked(this.beforeMs, signedMillis(timeDifference, 'join window after'), this.graceMs);
  }

  /** The window's size, `before + after`. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  /**
   * How long each side's window store keeps records behind its latest one: Kafka's `size + grace`
   * (at least 1 ms, so that records with equal timestamps meet in a zero-size window without grace).
   */
  retentionMs(): number {
    return Math.max(1, this.sizeMs + this.graceMs);
  }

  private static checked(beforeMs: number, afterMs: number, graceMs: number): JoinWindows {
    if (beforeMs + afterMs < 0) {
      throw new InvalidArgumentError(`A join window needs before + after >= 0, got before ${beforeMs} ms and after ${afterMs} ms`);
    }
    return new JoinWindows(beforeMs, afterMs, graceMs);
  }
}
