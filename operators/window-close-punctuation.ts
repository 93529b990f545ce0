/**
 * Idle-aware closing for the operators that emit when windows close (`emitStrategy: 'onWindowClose'`
 * aggregations, `suppress`): besides checking for closed windows when a record arrives, they schedule a
 * stream-time punctuation that checks again. When the runtime (or the test driver) advances the stream
 * time of an idle task from the wall clock (`idleAdvanceMs`), that punctuation is what emits the final
 * results of quiet keys without any new record.
 *
 * The punctuation advances the operator's stream time to the task's stream time: with records alone, an
 * operator's stream time is the largest timestamp it has seen, which equals the task's unless records
 * were filtered out before it; with the punctuation, records the task dropped upstream also count.
 */

/** The longest interval (ms of stream time) between two checks for closed windows. */
export const CLOSE_CHECK_INTERVAL_MS = 1000;

/**
 * The stream-time punctuation interval for windows of `granularityMs` (their advance, or the time to
 * wait): a second, or less for finer windows; at least 1 ms.
 *
 * @example
 * closeCheckInterval(60_000); // 1000
 * closeCheckInterval(100); // 100
 */
export function closeCheckInterval(granularityMs: number): number {
  return Math.max(1, Math.min(CLOSE_CHECK_INTERVAL_MS, Math.floor(granularityMs)));
}
