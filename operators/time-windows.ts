/**
 * Fixed-size windows aligned to the epoch: tumbling (advance = size, windows do not overlap) or hopping
 * (advance < size, a record falls in `size / advance` windows). A window is `[start, start + size)`:
 * the end is exclusive. A window closes when stream time >= end + grace; records for a closed window
 * are late and dropped. Kafka Streams' `TimeWindows`.
 */
import { InvalidArgumentError } from '../core/errors/log-errors.ts';
import { toMillis, type Duration } from '../core/time/duration.ts';

/** Options-object form of {@link TimeWindows.of}. */
export interface TimeWindowsOptions {
  /** Window size. */
  size: Duration;
  /** How far each window starts after the previous one; default `size` (tumbling). */
  advance?: Duration;
  /** How long after its end a window still accepts out-of-order records; default 0. */
  grace?: Duration;
}

/**
 * A time-window specification.
 *
 * @example
 * TimeWindows.ofSizeWithNoGrace('5m');                 // tumbling 5-minute windows
 * TimeWindows.ofSizeAndGrace('5m', '1m').advanceBy('1m'); // hopping: 5-minute windows every minute
 */
export class TimeWindows {
  readonly kind = 'time' as const;

  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  /**
   * Tumbling windows of `size` without grace: a window closes as soon as stream time reaches its end.
   * @throws InvalidArgumentError for a size that is not positive
   */
  static ofSizeWithNoGrace(size: Duration): TimeWindows {
    return TimeWindows.of({ size });
  }

  /**
   * Tumbling windows of `size` that accept records up to `grace` after their end.
   * @throws InvalidArgumentError for a size that is not positive or a negative grace
   */
  static ofSizeAndGrace(size: Duration, grace: Duration): TimeWindows {
    return TimeWindows.of({ size, grace });
  }

  /**
   * Windows from an options object.
   * @throws InvalidArgumentError for a size that is not positive, an advance outside `(0, size]` or a negative grace
   */
  static of(options: TimeWindowsOptions): TimeWindows {
    const sizeMs = toMillis(options.size, 'window size');
    if (sizeMs <= 0) throw new InvalidArgumentError(`The window size must be positive, got ${sizeMs} ms`);
    const advanceMs = options.advance === undefined ? sizeMs : toMillis(options.advance, 'window advance');
    if (advanceMs <= 0 || advanceMs > sizeMs) {
      throw new InvalidArgumentError(`The window advance must be in (0, size = ${sizeMs} ms], got ${advanceMs} ms`);
    }
    const graceMs = options.grace === undefined ? 0 : toMillis(options.grace, 'grace period');
    return new TimeWindows(sizeMs, advanceMs, graceMs);
  }

  /**
   * Hopping windows: the same size and grace, a new window every `advance`.
   * @throws InvalidArgumentError for an advance outside `(0, size]`
   */
  advanceBy(advance: Duration): TimeWindows {
    return TimeWindows.of({ size: this.sizeMs, advance, grace: this.graceMs });
  }

  /** The start of the first (earliest) window containing `timestamp`; the others follow every `advanceMs` up to `timestamp`. */
  firstWindowStart(timestamp: number): number {
    const lowest = timestamp - this.sizeMs + this.advanceMs;
    return lowest <= 0 ? 0 : Math.floor(lowest / this.advanceMs) * this.advanceMs;
  }

  /** Every `[start, end)` window containing `timestamp`, by start time. */
  windowsFor(timestamp: number): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    for (let start = this.firstWindowStart(timestamp); start <= timestamp; start += this.advanceMs) {
      out.push({ start, end: start + this.sizeMs });
    }
    return out;
  }
}
