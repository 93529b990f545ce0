/**
 * The physical topology: the immutable, validated graph of source, processor and sink nodes that the
 * runtime executes, split into sub-topologies. `Topology.build()` produces it; the runtime creates one
 * task per (sub-topology, partition) from it.
 *
 * Topic names of internal topics (repartition, changelog) are stored WITHOUT the application prefix; the
 * runtime resolves them with {@link resolveTopicName} to `<applicationId>-<name>`.
 */
import type { Headers } from '../processor/record.ts';
import type { ProcessorSupplier } from '../processor/processor.ts';
import type { StoreBuilder } from '../processor/state-store.ts';
import type { Serde } from '../serde/serde.ts';
import type { TopologyDescription } from './topology-description.ts';

/** A record as the source node sees it after deserialization, before it enters the processors. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: unknown;
  readonly value: unknown;
  readonly headers: Headers;
}

/**
 * Picks the timestamp of a consumed record (Kafka's `TimestampExtractor`). `partitionTime` is the largest
 * timestamp seen so far on the record's partition (-1 before the first). Must be synchronous and cheap:
 * it runs per record.
 *
 * @example
 * const fromValue: TimestampExtractor = (r) => (r.value as { ts: number }).ts;
 */
export type TimestampExtractor = (record: ConsumedRecord, partitionTime: number) => number;

/** Metadata of the record being written by a sink, given to a {@link TopicNameExtractor}. */
export interface RecordContext {
  /** The input topic of the record being processed, or null inside a punctuation. */
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Chooses the output topic per record (dynamic routing in `to()`).
 *
 * @example
 * const byLevel: TopicNameExtractor<string, { level: string }> = (_k, v) => `logs-${v.level}`;
 */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: RecordContext) => string;

/**
 * Chooses the partition of an output record; `undefined` falls back to the default (murmur2 of the key
 * bytes, sticky for null keys).
 *
 * @example
 * const byRegion: StreamPartitioner<string, Order> = (_t, _k, v, n) => v.region.length % n;
 */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Where the offset of a partition without a committed offset starts. */
export type OffsetReset = 'earliest' | 'latest';

/** A source node: reads topics (or a pattern), deserializes, forwards to its children. */
export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  /** Topic names (unprefixed when `internal`), or a pattern matched against the topics of the log. */
  readonly topics: readonly string[] | RegExp;
  /** The topics are internal (repartition): the runtime prefixes them with the application id. */
  readonly internal: boolean;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  readonly timestampExtractor?: TimestampExtractor;
  readonly offsetReset?: OffsetReset;
  readonly children: readonly string[];
}

/** A processor node: runs a fresh processor per task from its supplier. */
export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<any, any, any, any>;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Names of the state stores the processor may reach through `context.getStateStore`. */
  readonly stores: readonly string[];
}

/** A sink node: serializes and hands records to the record collector. */
export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  /** A topic name (unprefixed when `internal`) or an extractor choosing it per record. */
  readonly topic: string | TopicNameExtractor<any, any>;
  /** The topic is internal (repartition): the runtime prefixes it with the application id. */
  readonly internal: boolean;
  readonly parents: readonly string[];
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  readonly partitioner?: StreamPartitioner<any, any>;
}

/** Any node of a topology. */
export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

/** A topic reference: its name and whether it is internal (to be prefixed with the application id). */
export interface TopicRef {
  readonly name: string;
  readonly internal: boolean;
}

/**
 * One independently executable piece of the topology: nodes connected through parent/child edges or a
 * shared store. The runtime runs one task per (sub-topology, partition number).
 */
export interface SubtopologyDef {
  /** 0.., in the order of each sub-topology's first source. */
  readonly id: number;
  /** The source nodes, in the order they were added. */
  readonly sources: readonly SourceNodeDef[];
  /** All nodes of the sub-topology (sources, processors, sinks) in the order they were added. */
  readonly nodes: ReadonlyMap<string, NodeDef>;
  /** Stores used by processors of this sub-topology (each task gets its own instances). */
  readonly storeNames: readonly string[];
  /**
   * Groups of source topics that must have the same number of partitions (partition `p` of each topic
   * of a group goes to task `<id>_p`). By default one group with every named (non-pattern) source topic.
   * The runtime checks the partition counts and throws `TopologyError` on a mismatch.
   */
  readonly copartitionGroups: readonly (readonly TopicRef[])[];
}

/** An internal topic the runtime creates before starting (name unprefixed). */
export interface InternalTopicDef {
  readonly name: string;
  readonly kind: 'repartition' | 'changelog';
  /**
   * Partition count; when absent the runtime picks it (repartition: the count of the external topics
   * it is co-partitioned with, else the largest partition count of the source topics of the
   * sub-topology that writes it; changelog: the partition count of the sub-topology's input topics).
   */
  readonly numPartitions?: number;
  /** Topic configs, Kafka names (e.g. `cleanup.policy=compact` for changelogs). */
  readonly configs: Readonly<Record<string, string>>;
  /** The sub-topology whose sinks write the topic (repartition), or whose stores log into it (changelog). */
  readonly producerSubtopology: number | null;
  /** The sub-topology whose sources read the topic, or null (changelog topics are only read for restore). */
  readonly consumerSubtopology: number | null;
}

/**
 * A global store (the state of a GlobalKTable): a full copy of `topic` (every partition) on every
 * instance, restored from the topic itself (it is the store's changelog, so the store logs nothing) and
 * kept up to date by `processor`. Global stores run in no sub-topology and generate no tasks; any
 * processor may read them by name (`context.getStateStore`) without being connected to them.
 * `Topology.addGlobalStore` adds one; the runtime's global stream thread runs them.
 */
export interface GlobalStoreDef {
  /** The store builder (logging disabled: the source topic is the changelog). */
  readonly builder: StoreBuilder;
  /** The source topic (not prefixed). */
  readonly topic: string;
  readonly keySerde: Serde<any>;
  readonly valueSerde: Serde<any>;
  /** The state update processor: receives the deserialized records, writes the store (named by the builder). */
  readonly processor: ProcessorSupplier<any, any, any, any>;
  /** The name of the source node reading the topic (default `global-<store>-source`). */
  readonly sourceName?: string;
  /** The name of the update processor node (default `global-<store>-update`). */
  readonly processorName?: string;
}

/**
 * The immutable, validated topology the runtime executes.
 *
 * @example
 * const physical = new Topology().addSource('in', 'input').addSink('out', 'output', {}, 'in').build();
 * physical.subtopologies[0]!.sources[0]!.name; // 'in'
 */
export interface PhysicalTopology {
  readonly subtopologies: readonly SubtopologyDef[];
  /** Internal topics by unprefixed name: repartition topics, and `<store>-changelog` for logged stores. */
  readonly internalTopics: ReadonlyMap<string, InternalTopicDef>;
  /** Stores of the sub-topologies (built per task). Global stores are not among them. */
  readonly storeBuilders: ReadonlyMap<string, StoreBuilder>;
  /** The global stores (GlobalKTables), in the order they were added. */
  readonly globalStores: readonly GlobalStoreDef[];
  /** The printable description (sub-topologies, sources, processors, sinks, stores). */
  describe(): TopologyDescription;
}

/**
 * The name of a topic on the log: internal topics are prefixed with the application id.
 *
 * @example
 * resolveTopicName({ name: 'orders-by-customer-repartition', internal: true }, 'shop'); // 'shop-orders-by-customer-repartition'
 */
export function resolveTopicName(ref: TopicRef, applicationId: string): string {
  return ref.internal ? `${applicationId}-${ref.name}` : ref.name;
}

/** The unprefixed name of the changelog topic of a store (`<store>-changelog`). */
export function changelogTopicName(storeName: string): string {
  return `${storeName}-changelog`;
}
