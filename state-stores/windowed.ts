/**
 * Windowed keys: a record key and the window it was aggregated in (Kafka Streams' `Windowed<K>`).
 * Time windows are `[start, end)`; session windows are `[start, end]` (end = the last record's time).
 */

/** A window's bounds in milliseconds. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** A key with its window. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

/**
 * Makes a {@link Windowed} key.
 * @example
 * windowed('user-1', 60_000, 120_000); // { key: 'user-1', window: { start: 60000, end: 120000 } }
 */
export function windowed<K>(key: K, start: number, end: number): Windowed<K> {
  return { key, window: { start, end } };
}
