/**
 * File names inside a partition directory, as Kafka names them: segments and snapshots are named by a
 * 20-digit zero-padded offset (`00000000000000000042.log`), so a directory listing sorts by offset.
 */

/** Extension of a segment's record file. */
export const LOG_SUFFIX = '.log';
/** Extension of a segment's offset index. */
export const INDEX_SUFFIX = '.index';
/** Extension of a segment's time index. */
export const TIME_INDEX_SUFFIX = '.timeindex';
/** Extension of a producer-state snapshot. */
export const SNAPSHOT_SUFFIX = '.snapshot';
/** Suffix of a compacted segment written but not yet committed (deleted on recovery). */
export const CLEANED_SUFFIX = '.cleaned';
/** Suffix of a compacted segment committed but not yet renamed in place (completed on recovery). */
export const SWAP_SUFFIX = '.swap';

const OFFSET_DIGITS = 20;
const OFFSET_NAME = /^(\d{20})(\.[a-z]+)((?:\.[a-z]+)?)$/;

/**
 * Formats an offset as the 20-digit zero-padded stem of a segment or snapshot file name.
 *
 * @example
 * offsetFileStem(42); // '00000000000000000042'
 */
export function offsetFileStem(offset: number): string {
  return String(offset).padStart(OFFSET_DIGITS, '0');
}

/**
 * The name of a file named by offset: stem, extension and an optional `.cleaned`/`.swap` suffix.
 *
 * @example
 * offsetFileName(0, '.log'); // '00000000000000000000.log'
 */
export function offsetFileName(offset: number, extension: string, suffix = ''): string {
  return offsetFileStem(offset) + extension + suffix;
}

/** A file name split into offset, extension and suffix. */
export interface ParsedOffsetFileName {
  readonly offset: number;
  /** `.log`, `.index`, `.timeindex`, `.snapshot`, ... */
  readonly extension: string;
  /** `''`, `.cleaned` or `.swap` (or any other trailing extension). */
  readonly suffix: string;
}

/**
 * Parses a file name made by {@link offsetFileName}; returns null for any other name.
 *
 * @example
 * parseOffsetFileName('00000000000000000007.index.swap'); // { offset: 7, extension: '.index', suffix: '.swap' }
 */
export function parseOffsetFileName(name: string): ParsedOffsetFileName | null {
  const m = OFFSET_NAME.exec(name);
  if (!m) return null;
  return { offset: Number(m[1]), extension: m[2]!, suffix: m[3]! };
}
