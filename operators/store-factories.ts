/**
 * Turns `Materialized` options into the builders of the stores the DSL's stateful operators own, when
 * the topology is written (so missing serdes fall back to the build's default serdes).
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Serdes } from '../core/serde/serdes.ts';
import type { StoreBuilder } from '../core/processor/state-store.ts';
import { Stores } from '../state-stores/stores.ts';
import { valueAndTimestampSerde } from '../state-stores/value-and-timestamp.ts';
import type { WriteContext } from './graph/graph-node.ts';
import type { StoreFactory } from './graph/stateful-processor-node.ts';
import type { Materialized } from './materialized.ts';

/**
 * The serde to use: the explicit one, else the inherited one, else the build's default.
 * @throws TopologyError naming the store when there is none
 */
export function resolveSerde<T>(
  store: string,
  role: 'key' | 'value',
  explicit: Serde<T> | undefined,
  inherited: Serde<T> | undefined,
  context: WriteContext,
): Serde<T> {
  const serde = explicit ?? inherited ?? ((role === 'key' ? context.defaultKeySerde : context.defaultValueSerde) as Serde<T> | undefined);
  if (serde === undefined) {
    throw new TopologyError(
      `Store "${store}" has no ${role} serde: give one in Materialized/Grouped (${role}Serde), or build({ default${role === 'key' ? 'Key' : 'Value'}Serde })`,
    );
  }
  return serde;
}

/**
 * The timestamped key-value store of a table or an aggregation.
 *
 * @example
 * const factory = timestampedKeyValueStoreFactory('counts', {}, stream.keySerde, Serdes.int64());
 */
export function timestampedKeyValueStoreFactory<K, V>(
  name: string,
  materialized: Materialized<K, V>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): StoreFactory {
  return {
    name,
    build: (context) =>
      Stores.timestampedKeyValueStoreBuilder<K, V>({
        name,
        keySerde: resolveSerde(name, 'key', materialized.keySerde, keySerde, context),
        valueSerde: resolveSerde(name, 'value', materialized.valueSerde, valueSerde, context),
        ...(materialized.kind === undefined ? {} : { kind: materialized.kind }),
        ...(materialized.caching === undefined ? {} : { caching: materialized.caching }),
        ...(materialized.logging === undefined ? {} : { logging: materialized.logging }),
      }),
  };
}

/**
 * The emit-time store of an `onWindowClose` window aggregation (see `window-emit-progress.ts`): one
 * int64 per task, keyed by the window store's name; cached, and logged and kept like the window store.
 *
 * @example
 * emitTimeStoreFactory('counts-emit-time', { kind: 'memory' });
 */
export function emitTimeStoreFactory(name: string, materialized: Materialized<unknown, unknown>): StoreFactory {
  return {
    name,
    build: () =>
      Stores.keyValueStoreBuilder<string, number>({
        name,
        keySerde: Serdes.string(),
        valueSerde: Serdes.int64(),
        caching: true,
        ...(materialized.kind === undefined ? {} : { kind: materialized.kind }),
        ...(materialized.logging === undefined ? {} : { logging: materialized.logging }),
      }),
  };
}

/** The window and session store builders of `Stores`, as the DSL calls them. */
interface WindowedStoreBuilders {
  windowStoreBuilder?(options: {
    name: string;
    keySerde: Serde<any>;
    valueSerde: Serde<any>;
    retentionMs: number;
    windowSizeMs: number;
    retainDuplicates?: boolean;
    kind?: 'lmdb' | 'memory';
    caching?: boolean;
    logging?: Materialized<unknown, unknown>['logging'];
  }): StoreBuilder;
  sessionStoreBuilder?(options: {
    name: string;
    keySerde: Serde<any>;
    valueSerde: Serde<any>;
    retentionMs: number;
    kind?: 'lmdb' | 'memory';
    caching?: boolean;
    logging?: Materialized<unknown, unknown>['logging'];
  }): StoreBuilder;
}

function storeOptions(materialized: Materialized<unknown, unknown>): { kind?: 'lmdb' | 'memory'; caching?: boolean; logging?: Materialized<unknown, unknown>['logging'] } {
  return {
    ...(materialized.kind === undefined ? {} : { kind: materialized.kind }),
    ...(materialized.caching === undefined ? {} : { caching: materialized.caching }),
    ...(materialized.logging === undefined ? {} : { logging: materialized.logging }),
  };
}

/**
 * The window store of a time- or sliding-windowed aggregation: values are `ValueAndTimestamp<VA>`.
 *
 * @example
 * windowStoreFactory('counts-1m', {}, Serdes.string(), Serdes.int64(), 60_000, 60_000);
 */
export function windowStoreFactory<K, VA>(
  name: string,
  materialized: Materialized<K, VA>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<VA> | undefined,
  retentionMs: number,
  windowSizeMs: number,
): StoreFactory {
  return {
    name,
    build: (context) => {
      const builders = Stores as unknown as WindowedStoreBuilders;
      if (builders.windowStoreBuilder === undefined) throw new TopologyError(`Store "${name}": window stores are not available (Stores.windowStoreBuilder)`);
      return builders.windowStoreBuilder({
        name,
        keySerde: resolveSerde(name, 'key', materialized.keySerde, keySerde, context),
        valueSerde: valueAndTimestampSerde(resolveSerde(name, 'value', materialized.valueSerde, valueSerde, context)),
        retentionMs,
        windowSizeMs,
        retainDuplicates: false,
        ...storeOptions(materialized as Materialized<unknown, unknown>),
      });
    },
  };
}

/**
 * The session store of a session-windowed aggregation.
 *
 * @example
 * sessionStoreFactory('sessions', {}, Serdes.string(), Serdes.int64(), 300_000);
 */
export function sessionStoreFactory<K, VA>(
  name: string,
  materialized: Materialized<K, VA>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<VA> | undefined,
  retentionMs: number,
): StoreFactory {
  return {
    name,
    build: (context) => {
      const builders = Stores as unknown as WindowedStoreBuilders;
      if (builders.sessionStoreBuilder === undefined) throw new TopologyError(`Store "${name}": session stores are not available (Stores.sessionStoreBuilder)`);
      return builders.sessionStoreBuilder({
        name,
        keySerde: resolveSerde(name, 'key', materialized.keySerde, keySerde, context),
        valueSerde: resolveSerde(name, 'value', materialized.valueSerde, valueSerde, context),
        retentionMs,
        ...storeOptions(materialized as Materialized<unknown, unknown>),
      });
    },
  };
}
