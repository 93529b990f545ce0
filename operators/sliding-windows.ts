/**
 * Sliding windows (Kafka Streams 2.7+ `SlidingWindows`): windows of a fixed size `timeDifference`
 * defined by the records themselves: two records are in a common window when their timestamps differ
 * by at most `timeDifference`. Each record creates its left window `[t - diff, t]` and, when a later
 * record of the key is within reach, its right window `[t + 1, t + 1 + diff]`; so every distinct set of
 * records that fits in a window is aggregated once. Both ends are inclusive. A window closes when
 * stream time >= end + grace.
 */
import { InvalidArgumentError } from '../core/errors/log-errors.ts';
import { toMillis, type Duration } from '../core/time/duration.ts';

/**
 * A sliding-window specification.
 *
 * @example
 * SlidingWindows.ofTimeDifferenceAndGrace('10s', '30s');
 */
export class SlidingWindows {
  readonly kind = 'sliding' as const;

  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  /**
   * Windows of `timeDifference` with no grace.
   * @throws InvalidArgumentError for a negative time difference
   */
  static ofTimeDifferenceWithNoGrace(timeDifference: Duration): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifference, 0);
  }

  /**
   * Windows of `timeDifference` that accept records up to `grace` after their end.
   * @throws InvalidArgumentError for a negative time difference or grace
   */
  static ofTimeDifferenceAndGrace(timeDifference: Duration, grace: Duration): SlidingWindows {
    const diff = toMillis(timeDifference, 'time difference');
    const graceMs = toMillis(grace, 'grace period');
    if (diff <= 0) throw new InvalidArgumentError(`The sliding window time difference must be positive, got ${diff} ms`);
    return new SlidingWindows(diff, graceMs);
  }
}
