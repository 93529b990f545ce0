/**
 * The crash-safe way a compacted segment replaces the original, and how open finishes an interrupted one.
 *
 * Swap (with the cleaned copy written as `<base>.log.cleaned` + `.index.cleaned` + `.timeindex.cleaned`,
 * all fsynced):
 *   1. rename the cleaned files to `.swap`, the log last: the `<base>.log.swap` rename is the commit point;
 *   2. fsync the directory;
 *   3. delete the original `.log`, `.index`, `.timeindex`;
 *   4. rename the `.swap` files to their final names, fsync the directory.
 *
 * Recovery: a `<base>.log.swap` means the swap committed, so the originals are deleted and the swap files
 * renamed in (a missing index is rebuilt later); a `.cleaned` file, or an index `.swap` without its log,
 * means it did not, and the leftovers are deleted (the original segment is complete).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../errors/log-errors.ts';
import type { LogSegment } from './log-segment.ts';
import { fsyncDirSync, unlinkIfExistsSync } from './atomic-file.ts';
import { INDEX_SUFFIX, LOG_SUFFIX, SWAP_SUFFIX, TIME_INDEX_SUFFIX, offsetFileName, parseOffsetFileName } from './segment-file-names.ts';

/**
 * Replaces `old`'s files with `cleaned`'s (same base offset, `.cleaned` suffix, fsynced), steps 1-4 above.
 * `old` is closed; `cleaned` stays open under the final names.
 */
export function swapSegmentFiles(dir: string, old: LogSegment, cleaned: LogSegment): void {
  cleaned.renameFiles(SWAP_SUFFIX);
  fsyncDirSync(dir);
  old.deleteFiles();
  cleaned.renameFiles('');
  fsyncDirSync(dir);
}

/**
 * Completes every committed swap in `dir` (a `<base>.log.swap` exists). Returns whether anything changed.
 *
 * @throws StorageError when a rename or delete fails.
 */
export function completeInterruptedSwaps(dir: string): boolean {
  let changed = false;
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseOffsetFileName(name);
    if (!parsed || parsed.extension !== LOG_SUFFIX || parsed.suffix !== SWAP_SUFFIX) continue;
    const base = parsed.offset;
    for (const ext of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) unlinkIfExistsSync(path.join(dir, offsetFileName(base, ext)));
    for (const ext of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX]) {
      const from = path.join(dir, offsetFileName(base, ext, SWAP_SUFFIX));
      const to = path.join(dir, offsetFileName(base, ext));
      try {
        if (fs.existsSync(from)) fs.renameSync(from, to);
      } catch (cause) {
        throw new StorageError(`Cannot complete swap ${from} -> ${to}: ${(cause as Error).message}`, { cause });
      }
    }
    changed = true;
  }
  return changed;
}
