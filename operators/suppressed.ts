/**
 * `Suppressed`: options of `KTable.suppress`, which holds back table updates in a bounded buffer
 * (changelogged, so it survives restarts) and forwards only some of them:
 * - `untilWindowCloses`: one final result per window of a windowed table, when stream time reaches the
 *   window's end + grace (the grace of the windowed aggregation upstream); tombstones of windows are
 *   dropped;
 * - `untilTimeLimit(timeToWait)`: the latest value of a key once `timeToWait` of stream time has passed
 *   since the key's first buffered update (rate limiting).
 * When the buffer is full (`maxRecords` / `maxBytes`), `'emitEarly'` forwards the oldest entries before
 * their time, `'shutDown'` stops the application with a StreamsError (as Kafka's `shutDownWhenFull`).
 */
import { InvalidArgumentError } from '../core/errors/log-errors.ts';
import { toMillis, type Duration } from '../core/time/duration.ts';

/** What a full suppression buffer does. */
export type BufferFullPolicy = 'emitEarly' | 'shutDown';

/** Bounds of a suppression buffer (unbounded when absent). */
export interface BufferConfig {
  maxRecords?: number;
  maxBytes?: number;
  /** Default `'emitEarly'` for `untilTimeLimit`, `'shutDown'` for `untilWindowCloses` (emitting early there would break the one-final-result promise). */
  policy?: BufferFullPolicy;
}

/** A resolved suppression. */
export interface Suppression {
  readonly kind: 'untilWindowCloses' | 'untilTimeLimit';
  /** untilTimeLimit: the time to wait. */
  readonly timeToWaitMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly policy: BufferFullPolicy;
  /** Names the suppress processor and its buffer store (`<name>-store`). */
  readonly name: string | undefined;
}

function bound(value: number | undefined, what: string): number {
  if (value === undefined) return Infinity;
  if (!(value > 0)) throw new InvalidArgumentError(`${what} must be positive, got ${value}`);
  return value;
}

/**
 * Factories of suppressions.
 *
 * @example
 * windowedCounts.suppress(Suppressed.untilWindowCloses({ maxRecords: 10_000 }));
 * table.suppress(Suppressed.untilTimeLimit('30s', { maxBytes: 1 << 20, policy: 'emitEarly' }));
 */
export const Suppressed = {
  /**
   * One final result per window, when the window closes.
   * @throws InvalidArgumentError for a non-positive bound
   */
  untilWindowCloses(config: BufferConfig & { name?: string } = {}): Suppression {
    return {
      kind: 'untilWindowCloses',
      timeToWaitMs: 0,
      maxRecords: bound(config.maxRecords, 'maxRecords'),
      maxBytes: bound(config.maxBytes, 'maxBytes'),
      policy: config.policy ?? 'shutDown',
      name: config.name,
    };
  },
  /**
   * The latest value per key at most once per `timeToWait` of stream time.
   * @throws InvalidArgumentError for a negative time or a non-positive bound
   */
  untilTimeLimit(timeToWait: Duration, config: BufferConfig & { name?: string } = {}): Suppression {
    return {
      kind: 'untilTimeLimit',
      timeToWaitMs: toMillis(timeToWait, 'timeToWait'),
      maxRecords: bound(config.maxRecords, 'maxRecords'),
      maxBytes: bound(config.maxBytes, 'maxBytes'),
      policy: config.policy ?? 'emitEarly',
      name: config.name,
    };
  },
};
