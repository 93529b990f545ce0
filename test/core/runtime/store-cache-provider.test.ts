import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { createStoreCache } from '../../../core/runtime/store-cache-provider.ts';
import { Topology } from '../../../core/topology/topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import type { StateStore, StateStoreContext, StoreBuilder } from '../../../core/processor/state-store.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import { keyValueStoreBuilder } from '../../../state-stores/key-value-store-builder.ts';
import { StoreCache } from '../../../state-stores/store-cache.ts';

const str = Serdes.string();
let dir: string;
let log: EmbeddedLog;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-cache-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('core/runtime/store-cache-provider', () => {
  it('asks the first builder offering createCache for the instance cache', () => {
    const plain: StoreBuilder = { name: 'a', loggingEnabled: false, logConfig: {}, build: () => ({}) as StateStore };
    expect(createStoreCache(new Map([['a', plain]]), 1024)).toBeUndefined();
    const cache = createStoreCache(new Map<string, StoreBuilder>([['a', plain], ['b', keyValueStoreBuilder({ name: 'b', keySerde: str, valueSerde: str })]]), 4096);
    expect(cache).toBeInstanceOf(StoreCache);
  });

  it('hands one cache of cacheMaxBytes to the stores of every task of the instance as context.cache', async () => {
    const admin = log.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 3 }] });
    await admin.disconnect();
    const seen: unknown[] = [];
    const sizes: number[] = [];
    const builder: StoreBuilder & { createCache(maxBytes: number): unknown } = {
      name: 'probe',
      loggingEnabled: false,
      logConfig: {},
      createCache: (maxBytes) => {
        sizes.push(maxBytes);
        return { maxBytes };
      },
      build: () => {
        let open = false;
        return {
          name: 'probe',
          persistent: false,
          init: (context: StateStoreContext) => {
            open = true;
            seen.push((context as { cache?: unknown }).cache);
          },
          flush: () => undefined,
          close: () => void (open = false),
          isOpen: () => open,
        };
      },
    };
    const topology = new Topology()
      .addSource('in', 'input', { keySerde: str, valueSerde: str })
      .addProcessor('p', () => ({ init: (c: ProcessorContext<never, never>) => void c.getStateStore('probe'), process: () => undefined }), 'in')
      .addStateStore(builder, 'p')
      .build();
    const app = new TributaryStreams(topology, { applicationId: 'cache', log: { client: log }, stateDir: join(dir, 'state'), cacheMaxBytes: 123_456 });
    await app.start();
    expect(app.tasks()).toEqual(['0_0', '0_1', '0_2']);
    expect(sizes).toEqual([123_456]);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toEqual({ maxBytes: 123_456 });
    await app.close();
  });
});
