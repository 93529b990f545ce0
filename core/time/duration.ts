import { InvalidArgumentError } from '../errors/log-errors.ts';

/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'5s'`, `'5m'`, `'1h'`, `'7d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Converts a {@link Duration} to milliseconds.
 *
 * @throws InvalidArgumentError for a negative, non-finite or unparseable duration.
 * @example
 * toMillis('5m'); // 300000
 */
export function toMillis(duration: Duration, what = 'duration'): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new InvalidArgumentError(`${what} must be a non-negative number of milliseconds, got ${duration}`);
    }
    return duration;
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration);
  if (!m) throw new InvalidArgumentError(`${what} "${duration}" is not a duration like 250ms, 5s, 5m, 1h or 7d`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}
