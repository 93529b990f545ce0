/**
 * ProcessorStateManager's commit-time checkpoint rule (Kafka Streams' `StateManagerUtil.checkpointNeeded`):
 * the first commit checkpoints, later ones only once the changelogs moved more than
 * OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT records since the last checkpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT, ProcessorStateManager } from '../../../core/runtime/processor-state-manager.ts';
import type { RecordCollector } from '../../../core/runtime/record-collector.ts';
import type { StateStore, StoreBuilder } from '../../../core/processor/state-store.ts';
import { systemClock } from '../../../core/time/clock.ts';

describe('core/runtime/processor-state-manager', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('checkpoints at the first commit, then once the changelogs moved more than 10,000 records', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-psm-'));
    dirs.push(dir);
    const acked = new Map<string, number>();
    const collector = { trackOffsets: () => undefined, lastOffset: (topic: string) => acked.get(topic) ?? -1 } as unknown as RecordCollector;
    const checkpoints: [string, number][] = [];
    const builder = (name: string): StoreBuilder => ({
      name,
      loggingEnabled: true,
      logConfig: {},
      build: (): StateStore => ({
        name,
        persistent: true,
        init: () => undefined,
        flush: () => undefined,
        close: () => undefined,
        isOpen: () => true,
        checkpoint: (offset: number) => checkpoints.push([name, offset]),
      }) as StateStore,
    });
    const manager = new ProcessorStateManager({ subtopology: 0, partition: 0 }, ['a', 'b'], {
      applicationId: 'app',
      clock: systemClock,
      collector,
      storeBuilders: new Map([['a', builder('a')], ['b', builder('b')]]),
      taskDir: dir,
    });
    manager.initializeStores();
    expect(OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT).toBe(10_000);
    expect(manager.checkpointNeeded()).toBe(true);
    manager.checkpoint();
    expect(checkpoints).toEqual([['a', -1], ['b', -1]]);
    expect(manager.checkpointNeeded()).toBe(false);
    // 5,000 + 5,000 records past the checkpoint (offsets -1 -> 4,999 on each changelog): not more than 10,000.
    acked.set('app-a-changelog', 4_999);
    acked.set('app-b-changelog', 4_999);
    expect(manager.checkpointNeeded()).toBe(false);
    acked.set('app-b-changelog', 5_000);
    expect(manager.checkpointNeeded()).toBe(true);
    manager.checkpoint();
    expect(checkpoints.slice(2)).toEqual([['a', 4_999], ['b', 5_000]]);
    expect(manager.checkpointNeeded()).toBe(false);
  });
});
