import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../core/errors/log-errors.ts';
import { LOCK_FILE, acquireDirectoryLock } from '../../../core/log/directory-lock.ts';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('core/log/directory-lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-lock-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pid and removes the file on release', () => {
    const lock = acquireDirectoryLock(dir);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a second holder while the first is alive, naming the dir and pid', () => {
    const lock = acquireDirectoryLock(dir);
    let error: unknown;
    try {
      acquireDirectoryLock(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain(String(process.pid));
    lock.release();
    acquireDirectoryLock(dir).release();
  });

  it('refuses a lock held by another live process', () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => acquireDirectoryLock(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
  });

  it('takes over a stale lock whose process is dead', () => {
    const pid = deadPid();
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${pid}\n`);
    const lock = acquireDirectoryLock(dir);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a garbage lock file', () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), 'not a pid');
    acquireDirectoryLock(dir).release();
  });
});
