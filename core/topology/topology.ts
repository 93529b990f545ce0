/**
 * The Processor API topology (Kafka Streams' `Topology`): add sources, processors, sinks, stores and
 * internal topics by name, then `build()` the validated {@link PhysicalTopology} the runtime executes.
 * The DSL (`StreamsBuilder`) writes into one of these too.
 */
import { TopologyError } from '../errors/streams-errors.ts';
import type { ProcessorSupplier } from '../processor/processor.ts';
import type { StoreBuilder } from '../processor/state-store.ts';
import type { Serde } from '../serde/serde.ts';
import { buildPhysicalTopology, type InternalTopicSpec, type NodeSpec } from './build-physical-topology.ts';
import type {
  GlobalStoreDef,
  OffsetReset,
  PhysicalTopology,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from './physical-topology.ts';
import type { TopologyDescription } from './topology-description.ts';

/** Options of {@link Topology.addSource}. */
export interface SourceOptions {
  keySerde?: Serde<any>;
  valueSerde?: Serde<any>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: OffsetReset;
  /** The topic names are internal (repartition topics): the runtime prefixes them with the application id. */
  internal?: boolean;
}

/** Options of {@link Topology.addSink}. */
export interface SinkOptions {
  keySerde?: Serde<any>;
  valueSerde?: Serde<any>;
  partitioner?: StreamPartitioner<any, any>;
  /** The topic name is internal (a repartition topic): the runtime prefixes it with the application id. */
  internal?: boolean;
}

/** Options of {@link Topology.addGlobalStore}. */
export interface GlobalStoreOptions {
  /** Deserializes the topic's keys (required: the global task has no default serdes). */
  keySerde: Serde<any>;
  /** Deserializes the topic's values. */
  valueSerde: Serde<any>;
  /** The state update processor: gets every record of the topic and writes the store (by the builder's name). */
  processor: ProcessorSupplier<any, any, any, any>;
  /** The name of the source node (default `global-<store>-source`). */
  sourceName?: string;
  /** The name of the update processor node (default `global-<store>-update`). */
  processorName?: string;
}

/** Declaration of an internal topic (name without the application prefix). */
export interface InternalTopicOptions {
  kind: 'repartition' | 'changelog';
  numPartitions?: number;
  configs?: Record<string, string>;
}

function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new TopologyError(`${what} name must be a non-empty string`);
}

/**
 * A topology of named nodes. Parents may be named before they are added; everything is validated by
 * {@link Topology.build}. Names are unique across sources, processors and sinks.
 *
 * @example
 * const topology = new Topology()
 *   .addSource('in', 'orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() })
 *   .addProcessor('enrich', () => new Enrich(), 'in')
 *   .addSink('out', 'enriched-orders', { keySerde: Serdes.string(), valueSerde: Serdes.json() }, 'enrich');
 * const app = new TributaryStreams(topology.build(), { applicationId: 'shop', log: { embedded: { dir } } });
 */
export class Topology {
  private readonly nodes = new Map<string, NodeSpec>();
  private readonly stores = new Map<string, StoreBuilder>();
  private readonly storeConnections = new Map<string, string[]>();
  private readonly internalTopics = new Map<string, InternalTopicSpec>();
  /** `i:` / `e:` + topic -> source node name, so a topic has one source. */
  private readonly topicSources = new Map<string, string>();
  private readonly globalStores = new Map<string, GlobalStoreDef>();
  /** Source and processor names of the global stores (they share the namespace of the nodes). */
  private readonly globalNodeNames = new Set<string>();

  private addNode(node: NodeSpec): void {
    if (this.nodes.has(node.name) || this.globalNodeNames.has(node.name)) throw new TopologyError(`Node "${node.name}" is already added to the topology`);
    this.nodes.set(node.name, node);
  }

  /**
   * Adds a source node reading `topics` (a name, several names, or a pattern).
   *
   * @throws TopologyError for a duplicate node name, no topic, or a topic another source already reads.
   */
  addSource(name: string, topics: string | readonly string[] | RegExp, options: SourceOptions = {}): this {
    checkName('Source', name);
    const internal = options.internal ?? false;
    let list: readonly string[] | RegExp;
    if (topics instanceof RegExp) {
      if (internal) throw new TopologyError(`Source "${name}": an internal source cannot use a pattern`);
      list = topics;
    } else {
      list = typeof topics === 'string' ? [topics] : [...topics];
      if (list.length === 0) throw new TopologyError(`Source "${name}" has no topic`);
      for (const t of list) {
        if (typeof t !== 'string' || t.length === 0) throw new TopologyError(`Source "${name}" has an empty topic name`);
        const other = this.topicSources.get((internal ? 'i:' : 'e:') + t);
        if (other !== undefined) throw new TopologyError(`Topic "${t}" is already read by source "${other}" (source "${name}")`);
      }
    }
    this.addNode({
      kind: 'source',
      name,
      topics: list,
      internal,
      ...(options.keySerde ? { keySerde: options.keySerde } : {}),
      ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
      ...(options.timestampExtractor ? { timestampExtractor: options.timestampExtractor } : {}),
      ...(options.offsetReset ? { offsetReset: options.offsetReset } : {}),
    });
    if (!(list instanceof RegExp)) for (const t of list) this.topicSources.set((internal ? 'i:' : 'e:') + t, name);
    return this;
  }

  /**
   * Adds a processor whose processors (one per task, from `supplier`) receive what the parents forward.
   *
   * @throws TopologyError for a duplicate name, a missing supplier or no parent.
   */
  addProcessor(name: string, supplier: ProcessorSupplier<any, any, any, any>, ...parentNames: string[]): this {
    checkName('Processor', name);
    if (typeof supplier !== 'function') throw new TopologyError(`Processor "${name}" needs a supplier function`);
    if (parentNames.length === 0) throw new TopologyError(`Processor "${name}" has no parent`);
    this.addNode({ kind: 'processor', name, supplier, parents: Object.freeze([...parentNames]) });
    return this;
  }

  /**
   * Adds a sink writing what its parents forward to `topic` (or to the topic the extractor picks).
   *
   * @throws TopologyError for a duplicate name, an empty topic or no parent.
   */
  addSink(name: string, topic: string | TopicNameExtractor<any, any>, options: SinkOptions = {}, ...parentNames: string[]): this {
    checkName('Sink', name);
    if (typeof topic !== 'function') checkName(`Sink "${name}" topic`, topic);
    if (parentNames.length === 0) throw new TopologyError(`Sink "${name}" has no parent`);
    const internal = options.internal ?? false;
    if (internal && typeof topic === 'function') throw new TopologyError(`Sink "${name}": an internal sink needs a topic name`);
    this.addNode({
      kind: 'sink',
      name,
      topic,
      internal,
      parents: Object.freeze([...parentNames]),
      ...(options.keySerde ? { keySerde: options.keySerde } : {}),
      ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
      ...(options.partitioner ? { partitioner: options.partitioner } : {}),
    });
    return this;
  }

  /**
   * Adds a state store (built per task) and connects it to the named processors.
   *
   * @throws TopologyError when a store of that name is already added.
   */
  addStateStore(builder: StoreBuilder, ...processorNames: string[]): this {
    checkName('Store', builder?.name);
    if (this.stores.has(builder.name)) throw new TopologyError(`Store "${builder.name}" is already added to the topology`);
    this.stores.set(builder.name, builder);
    for (const p of processorNames) this.connectProcessorAndStateStores(p, builder.name);
    return this;
  }

  /**
   * Adds a global store (Kafka Streams' `addGlobalStore`): a full copy of every partition of `topic` on
   * every instance, restored from the topic itself (so the store must not log: the topic is its
   * changelog) and kept up to date by `options.processor`, which receives each deserialized record and
   * writes the store. Global stores generate no tasks; any processor reads them by name without being
   * connected to them.
   *
   * @throws TopologyError for a duplicate store or node name, a store with logging enabled, a missing
   *   serde or processor, or a topic another source or global store already reads.
   * @example
   * topology.addGlobalStore(Stores.keyValueStoreBuilder({ name: 'countries', keySerde, valueSerde, logging: false }), 'countries', {
   *   keySerde, valueSerde, processor: () => new CountryUpdater(),
   * });
   */
  addGlobalStore(builder: StoreBuilder, topic: string, options: GlobalStoreOptions): this {
    checkName('Store', builder?.name);
    const store = builder.name;
    checkName(`Global store "${store}" topic`, topic);
    if (this.stores.has(store) || this.globalStores.has(store)) throw new TopologyError(`Store "${store}" is already added to the topology`);
    if (builder.loggingEnabled) {
      throw new TopologyError(`Global store "${store}" must have logging disabled: its source topic "${topic}" is its changelog`);
    }
    if (options?.keySerde === undefined || options.valueSerde === undefined) {
      throw new TopologyError(`Global store "${store}" (topic: ${topic}) needs a key serde and a value serde`);
    }
    if (typeof options.processor !== 'function') throw new TopologyError(`Global store "${store}" needs a processor supplier function`);
    const sourceName = options.sourceName ?? `global-${store}-source`;
    const processorName = options.processorName ?? `global-${store}-update`;
    checkName('Source', sourceName);
    checkName('Processor', processorName);
    for (const name of [sourceName, processorName]) {
      if (this.nodes.has(name) || this.globalNodeNames.has(name)) throw new TopologyError(`Node "${name}" is already added to the topology`);
    }
    if (sourceName === processorName) throw new TopologyError(`Global store "${store}": the source and the processor need different names`);
    const other = this.topicSources.get('e:' + topic);
    if (other !== undefined) throw new TopologyError(`Topic "${topic}" is already read by source "${other}" (global store "${store}")`);
    this.topicSources.set('e:' + topic, sourceName);
    this.globalNodeNames.add(sourceName).add(processorName);
    this.globalStores.set(
      store,
      Object.freeze({ builder, topic, keySerde: options.keySerde, valueSerde: options.valueSerde, processor: options.processor, sourceName, processorName }),
    );
    return this;
  }

  /** Connects a processor to stores (added before or after); checked by {@link Topology.build}. */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    checkName('Processor', processorName);
    let list = this.storeConnections.get(processorName);
    if (list === undefined) this.storeConnections.set(processorName, (list = []));
    for (const s of storeNames) if (!list.includes(s)) list.push(s);
    return this;
  }

  /**
   * Declares an internal topic (name WITHOUT the application prefix; the runtime creates
   * `<applicationId>-<name>`). Internal sources and sinks declare theirs implicitly.
   *
   * @throws TopologyError for an empty name, a bad partition count, or a conflicting declaration.
   */
  addInternalTopic(name: string, def: InternalTopicOptions): this {
    checkName('Internal topic', name);
    if (def.numPartitions !== undefined && (!Number.isInteger(def.numPartitions) || def.numPartitions < 1)) {
      throw new TopologyError(`Internal topic "${name}": numPartitions must be a positive integer, got ${def.numPartitions}`);
    }
    const prev = this.internalTopics.get(name);
    if (prev !== undefined && (prev.kind !== def.kind || prev.numPartitions !== def.numPartitions)) {
      throw new TopologyError(`Internal topic "${name}" is already declared differently`);
    }
    this.internalTopics.set(name, {
      kind: def.kind,
      ...(def.numPartitions === undefined ? {} : { numPartitions: def.numPartitions }),
      ...(def.configs ? { configs: { ...def.configs } } : {}),
    });
    return this;
  }

  /** Whether a node of that name was added. */
  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  /**
   * The description (sub-topologies, sources, processors, sinks, stores) in Kafka Streams' format.
   *
   * @throws TopologyError when the topology is invalid (it is built to be described).
   */
  describe(): TopologyDescription {
    return this.build().describe();
  }

  /**
   * Validates the topology and returns its immutable physical form. Later additions do not change a
   * topology already built.
   *
   * @throws TopologyError for an unknown parent, a cycle, a sink used as a parent, a store connection to
   *   an unknown processor or store (or to a global store), or a store no processor uses.
   */
  build(): PhysicalTopology {
    return buildPhysicalTopology({
      nodes: new Map(this.nodes),
      stores: new Map(this.stores),
      storeConnections: new Map([...this.storeConnections].map(([p, s]) => [p, [...s]])),
      internalTopics: new Map(this.internalTopics),
      globalStores: [...this.globalStores.values()],
    });
  }
}
