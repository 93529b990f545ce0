/**
 * Test helper: an {@link EmbeddedLog} in a fresh temp directory, with a logger that records instead of
 * printing, and a cleanup that closes the log and removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog, type EmbeddedLogOptions } from '../../../../core/clients/embedded/embedded-log.ts';
import type { ClientLogger } from '../../../../core/clients/log-client.ts';

/** A logger that keeps every line, for assertions and quiet test output. */
export class RecordingLogger implements ClientLogger {
  readonly lines: { level: string; message: string }[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
}

/** An open embedded log on a temp dir. */
export interface TestLog {
  log: EmbeddedLog;
  dir: string;
  logger: RecordingLogger;
  /** Closes the current log and opens it again on the same directory. */
  reopen(): Promise<EmbeddedLog>;
  /** Closes the log (if open) and deletes the directory. */
  cleanup(): Promise<void>;
}

/** Opens an embedded log in a new temp directory. */
export async function openTestLog(options: Partial<EmbeddedLogOptions> = {}): Promise<TestLog> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-clients-'));
  const logger = new RecordingLogger();
  const t: TestLog = {
    log: await EmbeddedLog.open({ logger, ...options, dir }),
    dir,
    logger,
    async reopen() {
      await t.log.close();
      t.log = await EmbeddedLog.open({ logger, ...options, dir });
      return t.log;
    },
    async cleanup() {
      await t.log.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Resolves when `predicate` holds, checking after every macrotask turn; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
