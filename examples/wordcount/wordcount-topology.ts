/**
 * Word count, the canonical stateful stream: lines of text -> words -> grouped by word (a repartition
 * by the new key) -> counted in the store `word-counts` -> every count update written to the output
 * topic (deduplicated per commit interval by the store's cache).
 */
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';

/** The input topic: text lines (key ignored). */
export const LINES_TOPIC = 'text-lines';
/** The output topic: word -> count (int64). */
export const COUNTS_TOPIC = 'word-counts';
/** The store holding the counts (queryable with `app.store('word-counts')`). */
export const COUNTS_STORE = 'word-counts';

/** Splits a line into lower-case words. */
export function wordsOf(line: string): string[] {
  return line.toLowerCase().split(/\W+/).filter((w) => w.length > 0);
}

/**
 * The word-count topology.
 * @example
 * const app = new TributaryStreams(wordcountTopology(), { applicationId: 'wordcount', log: { embedded: { dir: './data' } } });
 */
export function wordcountTopology(options: { kind?: 'lmdb' | 'memory' } = {}): PhysicalTopology {
  const builder = new StreamsBuilder();
  builder
    .stream<string | null, string>(LINES_TOPIC, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .flatMapValues((line) => wordsOf(line))
    .groupBy((_key, word) => word, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .count({ storeName: COUNTS_STORE, kind: options.kind ?? 'lmdb' })
    .toStream()
    .to(COUNTS_TOPIC, { keySerde: Serdes.string(), valueSerde: Serdes.int64() });
  return builder.build();
}
