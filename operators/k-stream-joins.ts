/**
 * How `KStream.join` / `leftJoin` / `outerJoin` build their graph: validate, name, make both inputs
 * co-partitioned (a rekeyed input gets the automatic repartition), add the join node and return the
 * joined stream. Kept out of `k-stream.ts` so the stream class stays a list of short DSL methods.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import type { StoreBuilder } from '../core/processor/state-store.ts';
import { Stores } from '../state-stores/stores.ts';
import { DroppedRecords } from './dropped-records.ts';
import { ProcessorGraphNode } from './graph/processor-graph-node.ts';
import type { StoreFactory } from './graph/stateful-processor-node.ts';
import { StreamStreamJoinNode } from './graph/stream-stream-join-node.ts';
import { JoinWindows } from './join-windows.ts';
import type { Joined } from './joined.ts';
import { kStreamKStreamJoin, type JoinTimeTracker, type StreamStreamJoinSettings } from './k-stream-k-stream-join.ts';
import { kStreamKTableJoin } from './k-stream-k-table-join.ts';
import type { KStream, Keying } from './k-stream.ts';
import type { KTable } from './k-table.ts';
import type { Materialized } from './materialized.ts';
import { outerJoinStoreFactory } from './outer-join-store.ts';
import { resolveSerde } from './store-factories.ts';
import type { StreamJoined } from './stream-joined.ts';
import type { ValueJoiner } from './value-joiner.ts';

/** Inner, left or outer. */
export type JoinKind = 'inner' | 'left' | 'outer';

const OP_NAME: Record<JoinKind, string> = { inner: 'join', left: 'leftJoin', outer: 'outerJoin' };

/** The `Stores.windowStoreBuilder` of state-stores/, as the join calls it. */
interface WindowStoreBuilders {
  windowStoreBuilder?(options: {
    name: string;
    keySerde: Serde<any>;
    valueSerde: Serde<any>;
    retentionMs: number;
    windowSizeMs: number;
    retainDuplicates: boolean;
    kind?: 'lmdb' | 'memory';
    caching: boolean;
    logging?: Materialized<unknown, unknown>['logging'];
  }): StoreBuilder;
}

/** A join side's window store: retains duplicates, no cache, changelogged unless logging is off; see `JoinWindows.retentionMs`. */
function joinWindowStoreFactory<K, V>(
  name: string,
  options: StreamJoined<K, any, any>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  windows: JoinWindows,
): StoreFactory {
  return {
    name,
    build: (context) => {
      const builders = Stores as unknown as WindowStoreBuilders;
      if (builders.windowStoreBuilder === undefined) throw new TopologyError(`Store "${name}": window stores are not available (Stores.windowStoreBuilder)`);
      const windowSizeMs = Math.max(1, windows.sizeMs);
      return builders.windowStoreBuilder({
        name,
        keySerde: resolveSerde(name, 'key', options.keySerde, keySerde, context),
        valueSerde: resolveSerde(name, 'value', undefined, valueSerde, context),
        retentionMs: Math.max(windowSizeMs, windows.retentionMs()),
        windowSizeMs,
        retainDuplicates: true,
        caching: false,
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.logging === undefined ? {} : { logging: options.logging }),
      });
    },
  };
}

function requireFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TopologyError(`${op}: expected a joiner function, got ${fn === null ? 'null' : typeof fn}`);
}

/**
 * The windowed join of two streams (see `KStream.join`).
 *
 * @throws TopologyError when `right` belongs to another builder, `windows` is not a JoinWindows or the
 *   joiner is not a function
 */
export function streamStreamJoin<K, V, VO, VR>(
  left: KStream<K, V, Keying>,
  right: KStream<K, VO, Keying>,
  joiner: ValueJoiner<K, any, any, VR>,
  windows: JoinWindows,
  options: StreamJoined<K, V, VO>,
  kind: JoinKind,
): KStream<K, VR, 'partitioned'> {
  const op = OP_NAME[kind];
  if (!left.graphBuilder.owns(right.node)) {
    throw new TopologyError(`${op}: the other stream ("${right.node.name}") must come from the same StreamsBuilder as "${left.node.name}"`);
  }
  requireFunction(op, joiner);
  if (!(windows instanceof JoinWindows)) throw new TopologyError(`${op} of "${left.node.name}" and "${right.node.name}": expected JoinWindows`);
  const base = options.name ?? left.node.nextChildName(op);
  const storeBase = options.storeName ?? base;
  const keySerde = options.keySerde ?? left.keySerde ?? right.keySerde;
  const valueSerde = options.valueSerde ?? left.valueSerde;
  const otherValueSerde = options.otherValueSerde ?? right.valueSerde;
  const l = left.ensureCopartitioned(`${base}-left`, { ...(keySerde ? { keySerde } : {}), ...(valueSerde ? { valueSerde } : {}) });
  const r = right.ensureCopartitioned(`${base}-right`, { ...(keySerde ? { keySerde } : {}), ...(otherValueSerde ? { valueSerde: otherValueSerde } : {}) });
  const outer = kind !== 'inner';
  const settings: StreamStreamJoinSettings<K> = {
    windows,
    joiner: joiner as ValueJoiner<K, unknown, unknown, unknown>,
    leftOuter: outer,
    rightOuter: kind === 'outer',
    leftStoreName: `${storeBase}-this-join-store`,
    rightStoreName: `${storeBase}-other-join-store`,
    outerStoreName: outer ? `${storeBase}-outer-shared-join-store` : null,
    dropped: new DroppedRecords(),
    trackers: new WeakMap<object, JoinTimeTracker>(),
  };
  const node = new StreamStreamJoinNode(base, l.node, r.node, kStreamKStreamJoin<K, V, VO>(true, settings), kStreamKStreamJoin<K, VO, V>(false, settings), {
    left: joinWindowStoreFactory(settings.leftStoreName, options, keySerde, valueSerde, windows),
    right: joinWindowStoreFactory(settings.rightStoreName, options, keySerde, otherValueSerde, windows),
    outer: outer ? outerJoinStoreFactory(settings.outerStoreName!, options, keySerde, valueSerde, otherValueSerde) : null,
  });
  return l.derive<K, VR, 'partitioned'>(node, 'partitioned', keySerde, undefined);
}

/**
 * The join of a stream with a table (see `KStream.join`): reads the table's store, materializing the
 * table first (`<name>-table-store`) when it has none.
 *
 * @throws TopologyError when the table belongs to another builder or the joiner is not a function
 */
export function streamTableJoin<K, V, VT, VR>(
  stream: KStream<K, V, Keying>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<K, V, any, VR>,
  options: Joined<K, V, VT>,
  leftJoin: boolean,
): KStream<K, VR, 'partitioned'> {
  const op = leftJoin ? 'leftJoin' : 'join';
  if (table === null || typeof table !== 'object' || !('queryableStoreName' in table) || !stream.graphBuilder.owns(table.node)) {
    throw new TopologyError(`${op}: the table must be a KTable (or a KStream with JoinWindows) of the same StreamsBuilder as "${stream.node.name}"`);
  }
  requireFunction(op, joiner);
  const base = options.name ?? stream.node.nextChildName(op);
  const keySerde = options.keySerde ?? stream.keySerde ?? table.keySerde;
  const valueSerde = options.valueSerde ?? stream.valueSerde;
  const input = stream.ensureCopartitioned(base, { ...(keySerde ? { keySerde } : {}), ...(valueSerde ? { valueSerde } : {}) });
  const storeName =
    table.queryableStoreName ??
    table.mapValues((v) => v, {
      name: `${base}-table`,
      storeName: `${base}-table-store`,
      caching: false,
      ...(keySerde ? { keySerde } : {}),
      ...((options.otherValueSerde ?? table.valueSerde) ? { valueSerde: (options.otherValueSerde ?? table.valueSerde)! } : {}),
    }).queryableStoreName!;
  const supplier = kStreamKTableJoin<K, V, VT, VR>(storeName, joiner, leftJoin, new DroppedRecords());
  return input.derive<K, VR, 'partitioned'>(new ProcessorGraphNode(base, [input.node], supplier, [storeName]), 'partitioned', keySerde, undefined);
}
