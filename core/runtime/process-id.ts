/**
 * The process id of an application instance, stable per state directory (Kafka Streams' process
 * metadata file `kafka-streams-process-metadata`): a UUID written once in `<stateDir>/<applicationId>/`
 * and read back by every later start on that directory. Under exactly-once it names the transactional
 * producer (`<applicationId>-<processId>-<thread>`), so a worker restarted on the same state directory
 * fences its own previous incarnation and aborts the transaction that one left open, at once.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../log/atomic-file.ts';
import { StorageError } from '../errors/log-errors.ts';

/** The file name inside `<stateDir>/<applicationId>/`. */
export const PROCESS_METADATA_FILE = 'tributary-process-metadata';

/**
 * Reads the process id of the application's state directory, creating it on first use.
 * @param appDir `<stateDir>/<applicationId>`
 * @throws StorageError when the directory or the file cannot be read or written
 * @example
 * const processId = processIdOf(join(stateDir, 'wordcount')); // '3f2b9c1e-...'
 */
export function processIdOf(appDir: string): string {
  const file = join(appDir, PROCESS_METADATA_FILE);
  try {
    const stored = (JSON.parse(readFileSync(file, 'utf8')) as { processId?: unknown }).processId;
    if (typeof stored === 'string' && /^[0-9a-f-]{36}$/.test(stored)) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) {
      throw new StorageError(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const processId = randomUUID();
  try {
    mkdirSync(appDir, { recursive: true });
    writeFileAtomicSync(file, Buffer.from(`${JSON.stringify({ version: 1, processId })}\n`));
  } catch (error) {
    throw new StorageError(`Cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
  return processId;
}
