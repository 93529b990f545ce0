/** A promise-based delay on an injected {@link Clock}, so waits follow virtual time in tests. */
import type { Clock } from '../../time/clock.ts';

/**
 * Resolves after `ms` milliseconds of `clock` time.
 *
 * @example
 * await sleep(systemClock, 100);
 */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}
