import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import type { ConsumerOptions, LogClient } from '../../../core/clients/log-client.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { resolveStreamsConfig } from '../../../core/runtime/streams-config.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../../operators/streams-builder.ts';

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-fetch-config-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 1 }, { topic: 'output', numPartitions: 1 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The embedded log, recording the options of every consumer the runtime creates. */
function recording(seen: ConsumerOptions[]): LogClient {
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === 'consumer') {
        return (options: ConsumerOptions) => {
          seen.push(options);
          return target.consumer(options);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as LogClient;
}

function topology() {
  const b = new StreamsBuilder();
  b.stream('input', { keySerde: Serdes.string(), valueSerde: Serdes.string() }).to('output');
  return b.build();
}

describe('fetch limits of the stream thread consumer', () => {
  it('defaults to 128 KiB per partition and a 200 ms fetch wait; both must be positive', () => {
    const c = resolveStreamsConfig({ applicationId: 'a', log: { client: log } });
    expect(c.fetchMaxBytesPerPartition).toBe(131_072);
    expect(c.fetchMaxWaitMs).toBe(200);
    expect(() => resolveStreamsConfig({ applicationId: 'a', log: { client: log }, fetchMaxWaitMs: 0 })).toThrow(/fetchMaxWaitMs/);
  });

  it('passes them to the consumer it creates', async () => {
    for (const [config, bytes, wait] of [
      [{}, 131_072, 200],
      [{ fetchMaxBytesPerPartition: 4096, fetchMaxWaitMs: 50 }, 4096, 50],
    ] as const) {
      const seen: ConsumerOptions[] = [];
      const app = new TributaryStreams(topology(), { applicationId: `fetch-${bytes}`, log: { client: recording(seen) }, stateDir: join(dir, 'state'), ...config });
      await app.start();
      await app.close();
      const consumer = seen.find((o) => o.groupId === `fetch-${bytes}`);
      expect(consumer?.maxBytesPerPartition).toBe(bytes);
      expect(consumer?.maxWaitTimeInMs).toBe(wait);
    }
  });
});
