/**
 * How `KStream.join` / `leftJoin` with a {@link GlobalKTable} build their graph: validate, name, add
 * the {@link KStreamGlobalKTableJoin} processor (which reads the global store by name, with no store
 * connection and no co-partitioning) and return the joined stream, which keeps the input's keying.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import { DroppedRecords } from './dropped-records.ts';
import { GlobalKTable } from './global-k-table.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import { kStreamGlobalKTableJoin } from './k-stream-global-k-table-join.ts';
import type { KStream, Keying } from './k-stream.ts';
import type { Named } from './named.ts';
import type { ValueJoiner } from './value-joiner.ts';

/** Maps a stream record to the key of the global table row it joins (null or undefined: no row). */
export type GlobalKeySelector<K, V, GK> = (key: K, value: V) => GK | null | undefined;

/**
 * The join of a stream with a global table (see `KStream.join`).
 *
 * @throws TopologyError when the table is not a GlobalKTable of the same builder, or the key selector or
 *   the joiner is not a function
 * @example
 * streamGlobalTableJoin(orders, countries, (_id, o) => o.country, (o, c) => ({ ...o, c }), {}, true);
 */
export function streamGlobalTableJoin<K, V, S extends Keying, GK, GV, VR>(
  stream: KStream<K, V, S>,
  table: GlobalKTable<GK, GV>,
  keySelector: GlobalKeySelector<K, V, GK>,
  joiner: ValueJoiner<K, V, any, VR>,
  options: Named,
  leftJoin: boolean,
): KStream<K, VR, S> {
  const op = leftJoin ? 'leftJoin' : 'join';
  if (!(table instanceof GlobalKTable) || table.graphBuilder !== stream.graphBuilder) {
    throw new TopologyError(`${op}: the global table must be a GlobalKTable of the same StreamsBuilder as "${stream.node.name}"`);
  }
  if (typeof keySelector !== 'function') throw new TopologyError(`${op} with a GlobalKTable: expected a key selector function, got ${keySelector === null ? 'null' : typeof keySelector}`);
  if (typeof joiner !== 'function') throw new TopologyError(`${op} with a GlobalKTable: expected a joiner function, got ${joiner === null ? 'null' : typeof joiner}`);
  const name = options.name ?? stream.node.nextChildName(op);
  const supplier = kStreamGlobalKTableJoin<K, V, GK, GV, VR>(table.queryableStoreName, keySelector, joiner, leftJoin, new DroppedRecords());
  return stream.derive<K, VR, S>(new ProcessorGraphNode(name, [stream.node], supplier), stream.keying, stream.keySerde, undefined);
}
