import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { TributaryStreams } from '../../../core/runtime/tributary-streams.ts';
import { TopologyTestDriver } from '../../../core/runtime/topology-test-driver.ts';
import { Topology } from '../../../core/topology/topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { ManualClock } from '../../../core/time/clock.ts';
import type { ProcessorContext } from '../../../core/processor/processor-context.ts';
import { Record } from '../../../core/processor/record.ts';

const str = Serdes.string();

/**
 * A stand-in for a window that closes at stream time 60_000: each stream-time punctuation (every
 * second) emits `closed@<streamTime>` once stream time reached the window end; each record is echoed
 * with the stream time it saw.
 */
function windowTopology() {
  return new Topology()
    .addSource('in', 'input', { keySerde: str, valueSerde: str })
    .addProcessor(
      'p',
      () => {
        let ctx!: ProcessorContext<string, string>;
        let closed = false;
        return {
          init: (c: ProcessorContext<string, string>) => {
            ctx = c;
            c.schedule(1000, 'stream-time', (t) => {
              if (!closed && t >= 60_000) {
                closed = true;
                ctx.forward(new Record('window', `closed@${t}`, t));
              }
            });
          },
          process: (r: Record<string, string>) => ctx.forward(r.withValue(`${r.value}@${ctx.currentStreamTimeMs()}`)),
        };
      },
      'in',
    )
    .addSink('out', 'output', { keySerde: str, valueSerde: str }, 'p')
    .build();
}

describe('core/runtime/idle-advance', () => {
  it('the test driver advances an idle task\'s stream time from the virtual wall clock once idleAdvanceMs passed', () => {
    const driver = new TopologyTestDriver(windowTopology(), { idleAdvanceMs: 5000 });
    const input = driver.createInputTopic('input', str, str);
    const output = driver.createOutputTopic('output', str, str);
    input.pipeInput('a', 'first', 50_000);
    expect(output.readValuesToList()).toEqual(['first@50000']);
    driver.advanceWallClockTime(4999); // not idle long enough
    expect(output.isEmpty()).toBe(true);
    driver.advanceWallClockTime(1); // idle for 5 s: stream time 50 s + 5 s
    expect(output.isEmpty()).toBe(true);
    driver.advanceWallClockTime(5000); // stream time 60 s: the window closes
    expect(output.readValuesToList()).toEqual(['closed@60000']);
    // the trade-off: an older record arriving now is processed at the advanced stream time (late for windows)
    input.pipeInput('b', 'late', 55_000);
    expect(output.readValuesToList()).toEqual(['late@60000']);
    driver.close();
  });

  it('is off by default: an idle task\'s stream time stays where its records left it', () => {
    const driver = new TopologyTestDriver(windowTopology());
    const input = driver.createInputTopic('input', str, str);
    const output = driver.createOutputTopic('output', str, str);
    input.pipeInput('a', 'first', 50_000);
    driver.advanceWallClockTime(3_600_000);
    expect(output.readValuesToList()).toEqual(['first@50000']);
    driver.close();
  });

  describe('runtime', () => {
    let dir: string;
    let log: EmbeddedLog;
    afterEach(async () => {
      await log?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('advances stream time of idle tasks from the configured clock so quiet windows close', async () => {
      dir = mkdtempSync(join(tmpdir(), 'tributary-idle-'));
      log = await EmbeddedLog.open({ dir: join(dir, 'log') });
      const admin = log.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'input', numPartitions: 1 }, { topic: 'output', numPartitions: 1 }] });
      await admin.disconnect();
      const clock = new ManualClock(1_000_000);
      const app = new TributaryStreams(windowTopology(), {
        applicationId: 'idle',
        log: { client: log },
        clock,
        idleAdvanceMs: 5000,
        commitIntervalMs: 1000,
        stateDir: join(dir, 'state'),
      });
      await app.start();
      const producer = log.producer();
      await producer.connect();
      await producer.send({ topic: 'input', messages: [{ key: 'a', value: 'first', timestamp: '50000' }] });
      const read = async (): Promise<string[]> => {
        const [p] = await log.fetch([{ topic: 'output', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitMs: 0 });
        return p!.records.map((r) => r.value!.toString());
      };
      const until = Date.now() + 10_000;
      while ((await read()).length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(await read()).toEqual(['first@50000']);
      for (let i = 0; i < 20 && (await read()).length < 2; i++) {
        clock.advance(1000);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await read()).toEqual(['first@50000', 'closed@60000']);
      await producer.disconnect();
      await app.close();
    });
  });
});
