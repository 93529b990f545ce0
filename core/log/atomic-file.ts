/**
 * Small durable files (checkpoints, markers, snapshots): written to a temporary name, fsynced, renamed over
 * the target and the directory fsynced, so a crash leaves either the old or the new content, never a mix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../errors/log-errors.ts';

/** Suffix of the temporary file written by {@link writeFileAtomicSync}; leftovers are deleted on open. */
export const TMP_SUFFIX = '.tmp';

/**
 * Fsyncs a directory so that creations, renames and deletions inside it are durable.
 *
 * @throws StorageError naming the directory.
 */
export function fsyncDirSync(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (cause) {
    throw new StorageError(`Cannot fsync directory ${dir}: ${(cause as Error).message}`, { cause });
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/**
 * Replaces `file` with `data` atomically and durably: write `file.tmp`, fsync, rename, fsync the directory.
 *
 * @throws StorageError naming the file.
 * @example
 * writeFileAtomicSync(path.join(dir, 'log-start-offset'), Buffer.from('42\n'));
 */
export function writeFileAtomicSync(file: string, data: Uint8Array): void {
  const tmp = file + TMP_SUFFIX;
  let fd = -1;
  try {
    fd = fs.openSync(tmp, 'w');
    let written = 0;
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, file);
  } catch (cause) {
    throw new StorageError(`Cannot write ${file}: ${(cause as Error).message}`, { cause });
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
  fsyncDirSync(path.dirname(file));
}

/** Deletes `file` if it exists; returns whether it existed. @throws StorageError on any other failure. */
export function unlinkIfExistsSync(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StorageError(`Cannot delete ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads `file`, or returns null if it does not exist. @throws StorageError on any other failure. */
export function readFileIfExistsSync(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`Cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}
