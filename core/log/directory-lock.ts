/**
 * An exclusive lock on a data directory: `<dir>/.lock`, created exclusively (hard link, which fails with
 * EEXIST as O_EXCL does, so the file never exists without its content) and holding the owner's pid.
 * A lock left behind by a process that no longer runs is stale and taken over; a live holder (another
 * process, or another owner in this process) makes acquiring fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../errors/log-errors.ts';

/** Name of the lock file inside the locked directory. */
export const LOCK_FILE = '.lock';

/** A held lock. */
export interface DirectoryLock {
  /** The lock file. */
  readonly file: string;
  /** Deletes the lock file (once; later calls do nothing). */
  release(): void;
}

/**
 * Takes the lock of `dir` (which must exist).
 *
 * @returns the held lock
 * @throws StorageError naming the directory and the holder's pid when a live process holds it, or on I/O failure
 * @example
 * const lock = acquireDirectoryLock('./data');
 * try { ... } finally { lock.release(); }
 */
export function acquireDirectoryLock(dir: string): DirectoryLock {
  const file = path.join(dir, LOCK_FILE);
  // The pid is written to a private file first and hard-linked into place, so the lock file appears
  // atomically with its content (link fails with EEXIST like O_EXCL does).
  const tmp = path.join(dir, `${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx');
    try {
      fs.writeSync(fd, `${process.pid}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (cause) {
    throw new StorageError(`Cannot lock data directory ${dir} (${tmp}): ${(cause as Error).message}`, { cause });
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file);
        break;
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          throw new StorageError(`Cannot lock data directory ${dir} (${file}): ${(cause as Error).message}`, { cause });
        }
      }
      const holder = readHolder(file);
      if (holder !== null && isAlive(holder)) {
        throw new StorageError(
          `Data directory ${dir} is in use by process ${holder}${holder === process.pid ? ' (this process)' : ''}: ${file} exists`,
        );
      }
      // Stale: the holder is gone (or the file is garbage). Take it over.
      try {
        fs.unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new StorageError(`Cannot remove stale lock ${file} of data directory ${dir}: ${(e as Error).message}`, { cause: e });
        }
      }
    }
  } finally {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Best effort: a leftover private tmp file holds no lock.
    }
  }
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      try {
        fs.unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new StorageError(`Cannot release lock ${file}: ${(e as Error).message}`, { cause: e });
        }
      }
    },
  };
}

function readHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
