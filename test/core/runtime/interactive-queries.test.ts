import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import type { StoreUpdate } from '../../../core/runtime/interactive-queries.ts';
import { InvalidStateStoreError } from '../../../core/errors/streams-errors.ts';
import { countTopology } from '../../fixtures/count-topology.ts';

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-iq-'));
  log = await EmbeddedLog.open({ dir: join(dir, 'log') });
  const admin = log.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 2 }, { topic: 'output', numPartitions: 2 }] });
  await admin.disconnect();
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function produce(keys: string[]): Promise<void> {
  const p = log.producer();
  await p.connect();
  await p.send({ topic: 'input', messages: keys.map((key) => ({ key, value: 'x' })) });
  await p.disconnect();
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function app(stateDir = join(dir, 'state')): TributaryStreams {
  return new TributaryStreams(countTopology(), { applicationId: 'iq', log: { client: log }, commitIntervalMs: 50, stateDir });
}

describe('core/runtime/interactive-queries', () => {
  it('reads a store across the local tasks: get, range, all, approximateNumEntries', async () => {
    const a = app();
    await a.start();
    expect(a.tasks()).toEqual(['0_0', '0_1']);
    await produce(['apple', 'banana', 'cherry', 'apple', 'date', 'apple']);
    const counts = a.store<string, string>('counts', 'keyValue');
    await waitFor(() => counts.get('apple') === '3');
    expect(counts.get('banana')).toBe('1');
    expect(counts.get('nope')).toBeUndefined();
    const all = [...counts.all()].map((e) => `${e.key}=${e.value}`).sort();
    expect(all).toEqual(['apple=3', 'banana=1', 'cherry=1', 'date=1']);
    expect([...counts.range('b', 'c~')].map((e) => e.key).sort()).toEqual(['banana', 'cherry']);
    await a.commit(); // the estimate counts what reached the stores below the caches
    expect(counts.approximateNumEntries()).toBe(4);
    await a.close();
  });

  it('throws InvalidStateStoreError for an unknown store, while restoring, for a store of another type, and after close', async () => {
    await produce(['a', 'b', 'a']);
    const first = app();
    await first.start();
    await waitFor(() => first.store<string, string>('counts').get('a') === '2');
    await first.close();

    const second = app(join(dir, 'other-state')); // no local state: restores the whole changelog
    const duringRestore: unknown[] = [];
    second.on('restore', (p) => {
      if (p.done) return;
      try {
        second.store<string, string>('counts').get('a');
        duringRestore.push('answered');
      } catch (error) {
        duringRestore.push(error);
      }
    });
    expect(() => second.store('nope')).toThrow(InvalidStateStoreError);
    await second.start();
    expect(duringRestore.length).toBeGreaterThan(0);
    for (const e of duringRestore) expect(e).toBeInstanceOf(InvalidStateStoreError);
    const counts = second.store<string, string>('counts');
    expect(counts.get('a')).toBe('2');
    expect(() => second.store<string, string, 'window'>('counts', 'window').fetch('a', 0)).toThrow(/not a window store/);
    await second.close();
    expect(() => counts.get('a')).toThrow(InvalidStateStoreError);
  });

  it('watches a key or a key range live from the store write path', async () => {
    const a = app();
    await a.start();
    const one: StoreUpdate<string, string>[] = [];
    const range: string[] = [];
    const every: string[] = [];
    const s1 = a.storeUpdates$<string, string>('counts', { key: 'apple' }).subscribe((u) => one.push(u));
    const s2 = a.store<string, string>('counts').watch({ from: 'b', to: 'c~' }).subscribe((u) => range.push(`${u.key}=${u.value}`));
    const s3 = a.storeUpdates$<string, string>('counts').subscribe((u) => every.push(u.key));
    await produce(['apple', 'banana', 'cherry', 'apple', 'date']);
    await waitFor(() => every.length === 5);
    expect(one.map((u) => u.value)).toEqual(['1', '2']);
    expect(one[0]).toMatchObject({ store: 'counts', key: 'apple' });
    expect(range.sort()).toEqual(['banana=1', 'cherry=1']);
    s1.unsubscribe();
    s2.unsubscribe();
    s3.unsubscribe();
    // unwatched: nothing more is reported
    await produce(['apple']);
    await waitFor(() => a.store<string, string>('counts').get('apple') === '3');
    expect(one).toHaveLength(2);
    await a.close();
  });
});

describe('core/runtime/interactive-queries (window stores)', () => {
  it('fetches windows of a windowed aggregation across the local tasks', async () => {
    const { StreamsBuilder } = await import('../../../operators/streams-builder.ts');
    const { TimeWindows } = await import('../../../operators/time-windows.ts');
    const { Serdes } = await import('../../../core/serde/serdes.ts');
    const b = new StreamsBuilder();
    b.stream<string, string>('input', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count({ storeName: 'per-minute', retention: '1h' });
    const w = new TributaryStreams(b.build(), { applicationId: 'iqw', log: { client: log }, commitIntervalMs: 50, stateDir: join(dir, 'state') });
    await w.start();
    const p = log.producer();
    await p.connect();
    await p.send({
      topic: 'input',
      messages: [
        { key: 'a', value: 'x', timestamp: '1000' },
        { key: 'b', value: 'x', timestamp: '1500' },
        { key: 'a', value: 'x', timestamp: '2000' },
        { key: 'a', value: 'x', timestamp: '61000' },
      ],
    });
    await p.disconnect();
    const view = w.store<string, { value: number } | number, 'window'>('per-minute', 'window');
    const valueOf = (v: { value: number } | number | undefined): number | undefined => (typeof v === 'object' ? v.value : v);
    await waitFor(() => valueOf(view.fetch('a', 60_000)) === 1 && valueOf(view.fetch('b', 0)) === 1);
    expect(valueOf(view.fetch('a', 0))).toBe(2);
    expect([...view.fetchRange('a', 0, 120_000)].map((e) => [e.windowStart, valueOf(e.value)])).toEqual([
      [0, 2],
      [60_000, 1],
    ]);
    expect([...view.fetchAll(0, 0)].map((e) => `${e.key.key}@${e.key.window.start}`).sort()).toEqual(['a@0', 'b@0']);
    await w.close();
  });
});
