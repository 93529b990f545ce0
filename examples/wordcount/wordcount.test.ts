import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { TimestampedKeyValueStore } from '../../state-stores/key-value-store.ts';
import { COUNTS_STORE, COUNTS_TOPIC, LINES_TOPIC, wordcountTopology, wordsOf } from './wordcount-topology.ts';
import { runWordcount } from './run-wordcount.ts';

function expectedCounts(lines: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) for (const w of wordsOf(line)) out.set(w, (out.get(w) ?? 0) + 1);
  return out;
}

describe('examples/wordcount', () => {
  it('counts words through the TopologyTestDriver (store and output topic)', () => {
    const driver = new TopologyTestDriver(wordcountTopology({ kind: 'memory' }));
    const input = driver.createInputTopic(LINES_TOPIC, Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic(COUNTS_TOPIC, Serdes.string(), Serdes.int64());
    input.pipeInput(null, 'Hello Kafka Streams', 1);
    input.pipeInput(null, 'hello tributary, hello streams', 2);
    expect(output.readKeyValuesToMap()).toEqual(new Map([['hello', 3], ['kafka', 1], ['streams', 2], ['tributary', 1]]));
    const store = driver.getStateStore<TimestampedKeyValueStore<string, number>>(COUNTS_STORE);
    expect(store.get('hello')?.value).toBe(3);
    driver.close();
  });

  it('runs end to end on the embedded log; a second run over more lines restores the counts and continues', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tributary-wordcount-'));
    try {
      const first = Array.from({ length: 300 }, (_, i) => `line ${i % 7} of the stream, the ${i % 3 === 0 ? 'table' : 'log'}`);
      const report = await runWordcount({ dir: join(base, 'log'), stateDir: join(base, 'state'), lines: first });
      const expected = expectedCounts(first);
      expect(report.store).toEqual(expected);
      expect(report.output).toEqual(expected);

      // A fresh state directory: the counts come back from the changelog, then grow with the new lines.
      const second = ['the end of the stream'];
      const again = await runWordcount({ dir: join(base, 'log'), stateDir: join(base, 'state-2'), lines: second });
      const total = expectedCounts([...first, ...second]);
      expect(again.store).toEqual(total);
      expect(again.output).toEqual(total);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
