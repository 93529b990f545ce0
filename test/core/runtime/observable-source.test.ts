import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject, from, throwError, concat, of } from 'rxjs';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import type { Producer, ProducerRecord, RecordMetadata } from '../../../core/clients/log-client.ts';
import { fromObservable, type ProducerTarget } from '../../../core/runtime/observable-source.ts';
import { pausable } from '../../../core/runtime/pausable-observable.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { SerdeError, SourceOverflowError } from '../../../core/errors/streams-errors.ts';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';

/**
 * Wraps a producer: counts messages handed to send and not yet acknowledged, and (with `pulled`) checks
 * that the source never holds more than `bound` values it took from upstream without an ack.
 */
class CountingProducer implements ProducerTarget {
  inFlight = 0;
  maxInFlight = 0;
  acknowledged = 0;
  sends = 0;
  maxUnacknowledgedPulled = 0;
  pulled = 0;
  private readonly releases: (() => void)[] = [];

  constructor(
    private readonly inner: Pick<Producer, 'send'>,
    private readonly delayMs: number,
    private readonly manual = false,
  ) {}

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const n = record.messages.length;
    this.sends++;
    this.inFlight += n;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxUnacknowledgedPulled = Math.max(this.maxUnacknowledgedPulled, this.pulled - this.acknowledged);
    if (this.manual) await new Promise<void>((resolve) => this.releases.push(resolve));
    else await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const result = await this.inner.send(record);
    this.inFlight -= n;
    this.acknowledged += n;
    return result;
  }

  /** Acknowledges the oldest pending send (manual mode). */
  releaseOne(): boolean {
    const release = this.releases.shift();
    release?.();
    return release !== undefined;
  }
}

const nullProducer: Pick<Producer, 'send'> = { send: async () => [] };

describe('core/runtime/observable-source', () => {
  let dir: string;
  let log: EmbeddedLog;
  let producer: Producer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-obs-'));
    log = await EmbeddedLog.open({ dir });
    producer = log.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readAll(topic: string): Promise<{ key: string | null; value: string | null; timestamp: number }[]> {
    const [p] = await log.fetch([{ topic, partition: 0, offset: 0, maxBytes: 64 << 20 }], { maxWaitMs: 0 });
    return p!.records.map((r) => ({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp }));
  }

  it('writes every value in order with keys and timestamps; done resolves after every ack', async () => {
    const values = Array.from({ length: 2500 }, (_, i) => ({ id: `k${i % 7}`, n: i }));
    const counting = new CountingProducer(producer, 0);
    const handle = fromObservable(pausable(values), counting, {
      topic: 'numbers',
      keySelector: (v) => v.id,
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<{ id: string; n: number }>(),
      timestampSelector: (v) => 1_000_000 + v.n,
      maxBuffered: 300,
      batchSize: 100,
    });
    const stats = await handle.done;
    expect(counting.acknowledged).toBe(2500);
    expect(stats).toMatchObject({ received: 2500, acknowledged: 2500, dropped: 0, buffered: 0, inFlight: 0 });
    expect(stats.maxUnacknowledged).toBeLessThanOrEqual(300);
    expect(stats.pauses).toBeGreaterThan(0);
    const records = await readAll('numbers');
    expect(records).toHaveLength(2500);
    expect(records.map((r) => JSON.parse(r.value!).n)).toEqual(values.map((v) => v.n));
    expect(records[10]).toEqual({ key: 'k3', value: '{"id":"k3","n":10}', timestamp: 1_000_010 });
  });

  it.each([
    ['a pausable Observable over a generator', 'pausable'],
    ['an async generator', 'async'],
    ['a sync iterable', 'iterable'],
  ])('holds the bound with %s: never more than N values taken and unacknowledged', async (_name, kind) => {
    const N = 40;
    const counting = new CountingProducer(producer, 2);
    function* gen(): Generator<number> {
      for (let i = 0; i < 600; i++) {
        counting.pulled++;
        yield i;
      }
    }
    async function* agen(): AsyncGenerator<number> {
      for (let i = 0; i < 600; i++) {
        counting.pulled++;
        yield i;
      }
    }
    const source = kind === 'pausable' ? pausable(gen()) : kind === 'async' ? agen() : gen();
    const handle = fromObservable(source, counting, { topic: 'bounded', valueSerde: Serdes.int32(), maxBuffered: N, batchSize: 10, maxInFlightSends: 2 });
    const stats = await handle.done;
    expect(stats.acknowledged).toBe(600);
    expect(counting.maxInFlight).toBeLessThanOrEqual(N);
    expect(counting.maxUnacknowledgedPulled).toBeLessThanOrEqual(N);
    // the bound was actually reached, so the check above is meaningful
    expect(counting.maxUnacknowledgedPulled).toBeGreaterThanOrEqual(N - 10);
    expect(stats.maxUnacknowledged).toBeLessThanOrEqual(N);
    expect((await readAll('bounded')).map((r) => Buffer.from(r.value!, 'latin1'))).toHaveLength(600);
  });

  it('batches while a send is in flight: a batch goes out when the slot frees up', async () => {
    const counting = new CountingProducer(nullProducer, 0, true);
    const subject = new Subject<string>();
    const handle = fromObservable(subject, counting, { topic: 't', valueSerde: Serdes.string(), overflow: 'error', maxBuffered: 100, batchSize: 50 });
    subject.next('a'); // sent alone: no send was running
    for (let i = 0; i < 30; i++) subject.next(`b${i}`);
    expect(counting.sends).toBe(1);
    expect(handle.stats()).toMatchObject({ buffered: 30, inFlight: 1 });
    counting.releaseOne();
    await new Promise((r) => setTimeout(r, 0));
    expect(counting.sends).toBe(2);
    expect(handle.stats()).toMatchObject({ buffered: 0, inFlight: 30, acknowledged: 1 });
    subject.complete();
    counting.releaseOne();
    const stats = await handle.done;
    expect(stats).toMatchObject({ acknowledged: 31, sends: 2 });
  });

  it("fails with SourceOverflowError when a plain Observable overruns the bound with policy 'error'", async () => {
    const counting = new CountingProducer(nullProducer, 0, true);
    const subject = new Subject<number>();
    const handle = fromObservable(subject, counting, { topic: 'fast', valueSerde: Serdes.int32(), maxBuffered: 5 });
    for (let i = 0; i < 5; i++) subject.next(i);
    expect(subject.observed).toBe(true);
    subject.next(5);
    expect(subject.observed).toBe(false);
    counting.releaseOne();
    const error = await handle.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceOverflowError);
    expect((error as Error).message).toMatch(/topic "fast" overflowed its bound of 5 unacknowledged messages/);
  });

  it("drops the oldest buffered messages with policy 'dropOldest'", async () => {
    const counting = new CountingProducer(nullProducer, 0, true);
    const subject = new Subject<number>();
    const sent: number[] = [];
    const recording: ProducerTarget = {
      send: (r) => {
        sent.push(...r.messages.map((m) => (m.value as Buffer).readInt32BE(0)));
        return counting.send(r);
      },
    };
    const handle = fromObservable(subject, recording, { topic: 'lossy', valueSerde: Serdes.int32(), maxBuffered: 4, overflow: 'dropOldest' });
    for (let i = 0; i < 10; i++) subject.next(i); // 0 in flight; 1..9 compete for 3 buffer slots
    expect(handle.stats()).toMatchObject({ received: 10, dropped: 6, buffered: 3, inFlight: 1, maxUnacknowledged: 4 });
    subject.complete();
    while (counting.releaseOne() || handle.stats().inFlight > 0) await new Promise((r) => setTimeout(r, 0));
    const stats = await handle.done;
    expect(sent).toEqual([0, 7, 8, 9]);
    expect(stats).toMatchObject({ acknowledged: 4, dropped: 6 });
  });

  it("refuses 'block' for an Observable that cannot be paused, and accepts it with flowControl", async () => {
    expect(() => fromObservable(new Subject<string>(), nullProducer, { topic: 't', valueSerde: Serdes.string(), overflow: 'block' })).toThrow(InvalidArgumentError);
    const calls: string[] = [];
    const subject = new Subject<string>();
    const manual = new CountingProducer(nullProducer, 0, true);
    const handle = fromObservable(subject, manual, {
      topic: 't',
      valueSerde: Serdes.string(),
      maxBuffered: 2,
      flowControl: { pause: () => calls.push('pause'), resume: () => calls.push('resume') },
    });
    subject.next('a');
    subject.next('b');
    expect(calls).toEqual(['pause']);
    subject.next('c'); // the upstream did not honour pause
    let settled = false;
    void handle.done.catch(() => (settled = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false); // waits for the send in flight
    manual.releaseOne();
    await expect(handle.done).rejects.toThrow(/kept emitting after it was paused/);
  });

  it('rejects done with the send error, the serialization error, or the upstream error', async () => {
    const failing: ProducerTarget = { send: async () => Promise.reject(new Error('disk full')) };
    await expect(fromObservable(from(['a', 'b']), failing, { topic: 't', valueSerde: Serdes.string(), overflow: 'dropOldest' }).done).rejects.toThrow('disk full');
    await expect(fromObservable(pausable([1, 1.5]), producer, { topic: 't', valueSerde: Serdes.int32() }).done).rejects.toThrow(SerdeError);
    const upstream = concat(of('x'), throwError(() => new Error('source broke')));
    await expect(fromObservable(upstream, producer, { topic: 't', valueSerde: Serdes.string(), overflow: 'dropOldest' }).done).rejects.toThrow('source broke');
  });

  it('stop() stops taking values, sends what was taken, and resolves', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<string> {
      for (;;) {
        pulled++;
        yield `v${pulled}`;
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const handle = fromObservable(endless(), producer, { topic: 'endless', valueSerde: Serdes.string() });
    await new Promise((r) => setTimeout(r, 30));
    const stats = await handle.stop();
    expect(stats.acknowledged).toBe(stats.received);
    expect(stats.received).toBeGreaterThan(0);
    const records = await readAll('endless');
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: stats.received }, (_, i) => `v${i + 1}`));
  });

  it('validates options', () => {
    expect(() => fromObservable(of(1), nullProducer, { topic: '', valueSerde: Serdes.int32() })).toThrow(InvalidArgumentError);
    expect(() => fromObservable(of(1), nullProducer, { topic: 't', valueSerde: Serdes.int32(), keySelector: (v) => v })).toThrow(/keySelector needs a keySerde/);
    expect(() => fromObservable(of(1), nullProducer, { topic: 't', valueSerde: Serdes.int32(), maxBuffered: 0 })).toThrow(/maxBuffered must be a positive integer/);
    expect(() => fromObservable(42 as unknown as Iterable<number>, nullProducer, { topic: 't', valueSerde: Serdes.int32() })).toThrow(InvalidArgumentError);
  });
});
