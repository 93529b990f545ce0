/**
 * StreamsBuilder: the entry point of the DSL. Create streams from topics, chain operators, then
 * `build()` the physical topology the runtime (or the test driver) executes.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { StoreBuilder } from '../core/processor/state-store.ts';
import type { PhysicalTopology } from '../core/topology/physical-topology.ts';
import { checkSerdes, type DefaultSerdes } from '../core/topology/serde-check.ts';
import type { Topology } from '../core/topology/topology.ts';
import type { Consumed } from './consumed.ts';
import { sourceNodeName } from './graph/node-naming.ts';
import { StreamSourceNode } from './graph/stream-source-node.ts';
import { InternalStreamsBuilder } from './internal-streams-builder.ts';
import { KStream } from './k-stream.ts';
import { DroppedRecords } from './dropped-records.ts';
import { GlobalTableSourceNode } from './graph/global-table-source-node.ts';
import { TableSourceNode } from './graph/table-source-node.ts';
import { GlobalKTable } from './global-k-table.ts';
import { kTableSource } from './k-table-source.ts';
import { KTable } from './k-table.ts';
import type { Materialized } from './materialized.ts';
import { timestampedKeyValueStoreFactory } from './store-factories.ts';

/** Options of {@link StreamsBuilder.table}: how the topic is read and how the table is stored. */
export type TableOptions<K, V> = Consumed<K, V> & Omit<Materialized<K, V>, 'retention'>;

/**
 * Options of {@link StreamsBuilder.globalTable}: serdes, the source's name, and the store (no changelog:
 * the topic is the store's changelog; no timestamp extractor or offset reset: the whole topic is read).
 */
export type GlobalTableOptions<K, V> = Pick<Consumed<K, V>, 'name' | 'keySerde' | 'valueSerde'> & Omit<Materialized<K, V>, 'retention' | 'logging'>;

/**
 * Options of {@link StreamsBuilder.build}: the default serdes for sources, sinks and repartitions that
 * have none. Giving a config makes the serde check happen at build time.
 */
export interface BuildConfig extends DefaultSerdes {}

/**
 * Builds a topology with the DSL.
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder.stream<string, string>('in', { keySerde: new StringSerde(), valueSerde: new StringSerde() })
 *   .mapValues((v) => v.toUpperCase())
 *   .to('out');
 * const driver = new TopologyTestDriver(builder.build());
 */
export class StreamsBuilder {
  private readonly graph = new InternalStreamsBuilder();

  /**
   * A stream of the records of `topics` (a name, several names, or a pattern). The source node is named
   * `consumed.name`, else after its topic(s).
   *
   * @throws TopologyError when a topic is already read by another stream or the name is taken.
   * @example
   * builder.stream<string, Order>('orders', { valueSerde: new JsonSerde<Order>(), offsetReset: 'earliest' });
   */
  stream<K, V>(topics: string | readonly string[] | RegExp, consumed: Consumed<K, V> = {}): KStream<K, V, 'partitioned'> {
    const valid =
      topics instanceof RegExp ||
      (typeof topics === 'string' && topics.length > 0) ||
      (Array.isArray(topics) && topics.length > 0 && topics.every((t) => typeof t === 'string' && t.length > 0));
    if (!valid) throw new TopologyError('stream: topics must be a non-empty topic name, a non-empty list of names, or a RegExp');
    const name = consumed.name ?? sourceNodeName(topics);
    const node = new StreamSourceNode(
      name,
      topics,
      consumed.keySerde,
      consumed.valueSerde,
      consumed.timestampExtractor,
      consumed.offsetReset,
    );
    this.graph.addNode(node);
    this.graph.claimTopics(name, topics);
    return new KStream<K, V, 'partitioned'>(this.graph, node, 'partitioned', consumed.keySerde, consumed.valueSerde);
  }

  /**
   * A table of the latest value per key of `topic`: each record upserts its key, a record with a null
   * value (tombstone) deletes it; records with a null key are dropped. Materialized in a timestamped
   * key-value store (`options.storeName`, else `<topic>-table-source-store`); the source node is named
   * after the topic (or `options.name`), the table processor `<source>-table-source`.
   *
   * @throws TopologyError when the topic is already read by another stream or table, or a name is taken.
   * @example
   * const users = builder.table<string, User>('users', { keySerde: Serdes.string(), valueSerde: Serdes.json<User>(), storeName: 'users' });
   */
  table<K, V>(topic: string, options: TableOptions<K, V> = {}): KTable<K, V> {
    if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError('table: the topic must be a non-empty topic name');
    const sourceName = options.name ?? sourceNodeName(topic);
    const source = new StreamSourceNode(sourceName, topic, options.keySerde, options.valueSerde, options.timestampExtractor, options.offsetReset);
    const name = `${sourceName}-table-source`;
    const storeName = options.storeName ?? `${name}-store`;
    const dropped = new DroppedRecords();
    const store = timestampedKeyValueStoreFactory<K, V>(storeName, options, options.keySerde, options.valueSerde);
    const node = new TableSourceNode(name, source, kTableSource<K, V>(storeName, dropped), store);
    this.graph.addNode(node);
    this.graph.claimTopics(sourceName, topic);
    const seed = new KStream<K, V, 'partitioned'>(this.graph, source, 'partitioned', options.keySerde, options.valueSerde);
    return new KTable<K, V>(seed, node, options.keySerde, options.valueSerde, storeName, dropped);
  }

  /**
   * A global table of the latest value per key of `topic`: every application instance holds a full copy
   * (all partitions), restored from the topic itself on start (the topic is its changelog) and kept up
   * to date as the topic changes; a null value deletes the key, a null key is dropped. Streams join it
   * by a key selected from each record, with no co-partitioning. Materialized in a timestamped
   * key-value store (`options.storeName`, else `<topic>-table-source-store`), queryable by that name.
   * The global store is described as its own sub-topology that generates no tasks. Serdes: the options',
   * else the build's default serdes (the global store needs them when the topology is built).
   *
   * @throws TopologyError when the topic is already read by another stream or table, or a name is taken;
   *   at build, when a serde is missing.
   * @example
   * const countries = builder.globalTable<string, string>('countries', { keySerde: Serdes.string(), valueSerde: Serdes.string(), storeName: 'countries' });
   * orders.leftJoin(countries, (_id, order) => order.countryCode, (order, country) => ({ ...order, country }));
   */
  globalTable<K, V>(topic: string, options: GlobalTableOptions<K, V> = {}): GlobalKTable<K, V> {
    if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError('globalTable: the topic must be a non-empty topic name');
    const sourceName = options.name ?? sourceNodeName(topic);
    const name = `${sourceName}-table-source`;
    const storeName = options.storeName ?? `${name}-store`;
    const store = timestampedKeyValueStoreFactory<K, V>(storeName, { ...options, logging: false }, options.keySerde, options.valueSerde);
    const node = new GlobalTableSourceNode(name, sourceName, topic, options.keySerde, options.valueSerde, kTableSource<K, V>(storeName, new DroppedRecords()), store);
    this.graph.addNode(node);
    this.graph.claimTopics(sourceName, topic);
    return new GlobalKTable<K, V>(this.graph, storeName, options.keySerde, options.valueSerde);
  }

  /**
   * Adds a state store that processors (`process` / `processValues` with `stores`) use by name.
   *
   * @throws TopologyError when a store of that name exists.
   */
  addStateStore(builder: StoreBuilder): this {
    this.graph.addStateStore(builder);
    return this;
  }

  /**
   * The Processor API topology this builder describes, for adding nodes by hand. Default serdes from
   * `config` are written into the nodes that have none.
   */
  buildTopology(config: BuildConfig = {}): Topology {
    return this.graph.buildTopology({ defaultKeySerde: config.defaultKeySerde, defaultValueSerde: config.defaultValueSerde });
  }

  /**
   * The validated physical topology. With a `config`, the defaults fill in missing serdes and every
   * source, sink and repartition must then have serdes (build-time check). Without one, the runtime
   * checks serdes against its own defaults at start.
   *
   * @throws TopologyError for an invalid topology, or (with `config`) a node without serde and no default,
   *   naming the node and its topic.
   * @example
   * const topology = builder.build({ defaultKeySerde: new StringSerde(), defaultValueSerde: new StringSerde() });
   */
  build(config?: BuildConfig): PhysicalTopology {
    const physical = this.buildTopology(config).build();
    if (config !== undefined) checkSerdes(physical, config);
    return physical;
  }
}
