/**
 * A task's checkpoint file, Kafka Streams' `OffsetCheckpoint` format: the changelog offsets its local
 * stores reflect, written atomically (temp file, fsync, rename) as the last commit step.
 *
 * ```
 * 0                      <- version
 * 2                      <- number of entries
 * app-counts-changelog 3 1042
 * app-totals-changelog 3 77
 * ```
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../log/atomic-file.ts';
import { StorageError } from '../errors/log-errors.ts';

/** The checkpoint file name inside a task directory. */
export const CHECKPOINT_FILE = '.checkpoint';

/** Changelog offsets keyed by `topic` and partition. */
export type CheckpointOffsets = ReadonlyMap<string, number>;

/** Key of an entry: `<topic> <partition>`. */
export function checkpointKey(topic: string, partition: number): string {
  return `${topic} ${partition}`;
}

/**
 * Writes `<taskDir>/.checkpoint` atomically.
 * @returns the file written
 * @example
 * writeCheckpoint(taskDir, new Map([[checkpointKey('app-s-changelog', 0), 42]]));
 */
export function writeCheckpoint(taskDir: string, offsets: CheckpointOffsets): string {
  mkdirSync(taskDir, { recursive: true });
  const lines = ['0', String(offsets.size)];
  for (const [key, offset] of offsets) lines.push(`${key} ${offset}`);
  const file = join(taskDir, CHECKPOINT_FILE);
  writeFileAtomicSync(file, Buffer.from(`${lines.join('\n')}\n`));
  return file;
}

/**
 * Reads a checkpoint file; an absent file is an empty map.
 * @throws StorageError for a malformed file
 */
export function readCheckpoint(taskDir: string): Map<string, number> {
  const file = join(taskDir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new StorageError(`Cannot read checkpoint ${file}: ${(error as Error).message}`, { cause: error });
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') throw new StorageError(`Checkpoint ${file}: unknown version "${lines[0]}"`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || lines.length !== count + 2) throw new StorageError(`Checkpoint ${file}: expected ${lines[1]} entries, found ${lines.length - 2}`);
  const out = new Map<string, number>();
  for (const line of lines.slice(2)) {
    const m = /^(\S+) (\d+) (-?\d+)$/.exec(line);
    if (m === null) throw new StorageError(`Checkpoint ${file}: malformed line "${line}"`);
    out.set(checkpointKey(m[1]!, Number(m[2])), Number(m[3]));
  }
  return out;
}

/**
 * Deletes `<taskDir>/.checkpoint` (absent is fine).
 * @throws StorageError when the file exists and cannot be deleted
 */
export function deleteCheckpoint(taskDir: string): void {
  const file = join(taskDir, CHECKPOINT_FILE);
  try {
    rmSync(file, { force: true });
  } catch (error) {
    throw new StorageError(`Cannot delete checkpoint ${file}: ${(error as Error).message}`, { cause: error });
  }
}
