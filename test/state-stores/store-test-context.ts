/**
 * A StateStoreContext for store tests: a temporary task directory (removed by `cleanup`), the logged
 * changes and the registered restore callbacks, and a settable wall clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestoreCallback, StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { StoreCache } from '../../state-stores/store-cache.ts';

export interface LoggedChange {
  readonly store: string;
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface TestStoreContext extends StateStoreContext {
  readonly logged: LoggedChange[];
  readonly restores: Map<string, RestoreCallback>;
  now: number;
  cache?: StoreCache;
  cleanup(): void;
}

/** Makes a context; pass `dir` to reuse a task directory (a restart). */
export function testStoreContext(options: { dir?: string; cache?: StoreCache; partition?: number } = {}): TestStoreContext {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tributary-store-'));
  const ctx: TestStoreContext = {
    applicationId: 'app',
    taskId: { subtopology: 0, partition: options.partition ?? 0 },
    stateDir: dir,
    changelogTopic: 'app-store-changelog',
    changelogPartition: options.partition ?? 0,
    logged: [],
    restores: new Map(),
    now: 1_000,
    register(store: StateStore, restore: RestoreCallback) {
      ctx.restores.set(store.name, restore);
    },
    logChange(store, key, value, timestamp) {
      ctx.logged.push({ store, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp });
    },
    currentSystemTimeMs() {
      return ctx.now;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.cache !== undefined) ctx.cache = options.cache;
  return ctx;
}

/** A new temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-store-'));
}
