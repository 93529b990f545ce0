/**
 * Positional reads and writes that loop until done, turning filesystem failures into StorageError.
 * `fs.readSync`/`fs.writeSync` may transfer fewer bytes than asked; these helpers never do.
 */
import fs from 'node:fs';
import { StorageError } from '../errors/log-errors.ts';

/**
 * Writes all of `buf` to `fd` at `position`.
 *
 * @throws StorageError naming `file` and the position.
 */
export function writeFullySync(fd: number, buf: Uint8Array, position: number, file: string): void {
  let done = 0;
  try {
    while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
  } catch (cause) {
    throw new StorageError(`Cannot write ${buf.length} bytes to ${file} at byte ${position}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * Reads `length` bytes from `fd` at `position` into `buf` at `offset`; returns the bytes read, which is
 * less than `length` only at end of file.
 *
 * @throws StorageError naming `file` and the position.
 */
export function readFullySync(fd: number, buf: Uint8Array, offset: number, length: number, position: number, file: string): number {
  let done = 0;
  try {
    while (done < length) {
      const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
  } catch (cause) {
    throw new StorageError(`Cannot read ${length} bytes from ${file} at byte ${position}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return done;
}
