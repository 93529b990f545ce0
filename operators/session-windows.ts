/**
 * Session windows (Kafka Streams' `SessionWindows`): a session of a key is a period of activity; a
 * record within `inactivityGap` of a session joins it (a record that bridges two sessions merges them),
 * a record further away starts a new session `[t, t]`. Start and end are the first and last record
 * timestamps (both inclusive). As in Kafka Streams, a record is late (dropped) when the session it would
 * join or create ends before `stream time - grace`.
 */
import { InvalidArgumentError } from '../core/errors/log-errors.ts';
import { toMillis, type Duration } from '../core/time/duration.ts';

/**
 * A session-window specification.
 *
 * @example
 * SessionWindows.ofInactivityGapWithNoGrace('5m');
 */
export class SessionWindows {
  readonly kind = 'session' as const;

  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  /**
   * Sessions split by `inactivityGap`, without grace.
   * @throws InvalidArgumentError for a gap that is not positive
   */
  static ofInactivityGapWithNoGrace(inactivityGap: Duration): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGap, 0);
  }

  /**
   * Sessions split by `inactivityGap`, accepting records up to `grace` after a session's end.
   * @throws InvalidArgumentError for a gap that is not positive or a negative grace
   */
  static ofInactivityGapAndGrace(inactivityGap: Duration, grace: Duration): SessionWindows {
    const gap = toMillis(inactivityGap, 'inactivity gap');
    const graceMs = toMillis(grace, 'grace period');
    if (gap <= 0) throw new InvalidArgumentError(`The session inactivity gap must be positive, got ${gap} ms`);
    return new SessionWindows(gap, graceMs);
  }
}
