/**
 * A minimal in-test executor of a PhysicalTopology (one partition per topic, synchronous), with the
 * shape of the TopologyTestDriver's API, so operator tests can run before the runtime's driver exists.
 * Records go through the source and sink serdes; repartition topics are fed back into their sources
 * after the current input record is done.
 */
import { TopologyError } from '../../core/errors/streams-errors.ts';
import type { Processor } from '../../core/processor/processor.ts';
import type { ProcessorContext, TaskId } from '../../core/processor/processor-context.ts';
import { Headers, Record } from '../../core/processor/record.ts';
import type { StateStore } from '../../core/processor/state-store.ts';
import type { Serde } from '../../core/serde/serde.ts';
import type { NodeDef, PhysicalTopology, SinkNodeDef, SourceNodeDef } from '../../core/topology/physical-topology.ts';
import { resolveTopicName } from '../../core/topology/physical-topology.ts';
import { checkSerdes } from '../../core/topology/serde-check.ts';
import type { RecordHeader } from '../../core/log/log-contracts.ts';

interface Stored {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: RecordHeader[];
  partition: number;
}

export interface HarnessOptions {
  applicationId?: string;
  defaultKeySerde?: Serde<any>;
  defaultValueSerde?: Serde<any>;
  /** Partition count reported to partitioners. */
  numPartitions?: number;
}

export interface TestRecord<K, V> {
  key: K;
  value: V;
  timestamp: number;
  headers: Headers;
}

export class TopologyHarness {
  readonly applicationId: string;
  private readonly topics = new Map<string, Stored[]>();
  private readonly processors = new Map<string, Processor<any, any, any, any>>();
  private readonly contexts = new Map<string, ProcessorContext>();
  private readonly nodes = new Map<string, NodeDef>();
  private readonly pending: [SourceNodeDef, string, Stored, number][] = [];
  private current: { topic: string; offset: number } | null = null;
  private streamTime = -1;

  constructor(
    private readonly topology: PhysicalTopology,
    private readonly options: HarnessOptions = {},
  ) {
    this.applicationId = options.applicationId ?? 'test-app';
    checkSerdes(topology, options);
    for (const sub of topology.subtopologies) {
      const taskId: TaskId = { subtopology: sub.id, partition: 0 };
      for (const node of sub.nodes.values()) {
        this.nodes.set(node.name, node);
        if (node.kind === 'processor') {
          const p = node.supplier();
          this.processors.set(node.name, p);
          this.contexts.set(node.name, this.contextFor(node.name, node.children, node.stores, taskId));
        }
      }
    }
    for (const [name, p] of this.processors) p.init?.(this.contexts.get(name)!);
  }

  private contextFor(name: string, children: readonly string[], stores: readonly string[], taskId: TaskId): ProcessorContext {
    const harness = this;
    return {
      applicationId: this.applicationId,
      taskId,
      recordMetadata: () => (harness.current ? { topic: harness.current.topic, partition: 0, offset: harness.current.offset } : null),
      currentStreamTimeMs: () => harness.streamTime,
      currentSystemTimeMs: () => 0,
      schedule: () => {
        throw new TopologyError('the harness does not punctuate');
      },
      commit: () => {},
      getStateStore<S extends StateStore>(store: string): S {
        if (!stores.includes(store)) throw new TopologyError(`Processor "${name}" is not connected to store "${store}"`);
        throw new TopologyError('the harness has no stores');
      },
      forward(record: Record<any, any>, childName?: string) {
        if (childName !== undefined) {
          if (!children.includes(childName)) throw new TopologyError(`"${childName}" is not a child of "${name}"`);
          harness.deliver(childName, record);
        } else for (const c of children) harness.deliver(c, record);
      },
    };
  }

  private deliver(nodeName: string, record: Record<any, any>): void {
    const node = this.nodes.get(nodeName)!;
    if (node.kind === 'processor') this.processors.get(nodeName)!.process(record);
    else if (node.kind === 'sink') this.write(node, record);
  }

  private write(sink: SinkNodeDef, record: Record<any, any>): void {
    const name =
      typeof sink.topic === 'string'
        ? sink.topic
        : sink.topic(record.key, record.value, {
            topic: this.current?.topic ?? null,
            partition: 0,
            offset: this.current?.offset ?? -1,
            timestamp: record.timestamp,
            headers: record.headers,
          });
    const topic = resolveTopicName({ name, internal: sink.internal }, this.applicationId);
    const headers = record.headers.toArray();
    const keySerde = sink.keySerde ?? this.options.defaultKeySerde!;
    const valueSerde = sink.valueSerde ?? this.options.defaultValueSerde!;
    const n = this.options.numPartitions ?? 1;
    const partition = sink.partitioner?.(topic, record.key, record.value, n) ?? 0;
    const stored: Stored = {
      key: keySerde.serialize(topic, record.key, headers),
      value: valueSerde.serialize(topic, record.value, headers),
      timestamp: record.timestamp,
      headers,
      partition,
    };
    this.append(topic, stored);
  }

  private append(topic: string, stored: Stored): void {
    let list = this.topics.get(topic);
    if (!list) this.topics.set(topic, (list = []));
    list.push(stored);
    const source = this.sourceFor(topic);
    if (source && source.internal) this.pending.push([source, topic, stored, list.length - 1]);
  }

  private sourceFor(topic: string): SourceNodeDef | undefined {
    for (const sub of this.topology.subtopologies) {
      for (const s of sub.sources) {
        if (s.topics instanceof RegExp ? s.topics.test(topic) : s.topics.some((t) => resolveTopicName({ name: t, internal: s.internal }, this.applicationId) === topic)) {
          return s;
        }
      }
    }
    return undefined;
  }

  private consume(source: SourceNodeDef, topic: string, stored: Stored, offset: number): void {
    const keySerde = source.keySerde ?? this.options.defaultKeySerde!;
    const valueSerde = source.valueSerde ?? this.options.defaultValueSerde!;
    const key = keySerde.deserialize(topic, stored.key, stored.headers);
    const value = valueSerde.deserialize(topic, stored.value, stored.headers);
    const headers = new Headers(stored.headers);
    const timestamp = source.timestampExtractor
      ? source.timestampExtractor({ topic, partition: 0, offset, timestamp: stored.timestamp, key, value, headers }, this.streamTime)
      : stored.timestamp;
    this.current = { topic, offset };
    if (timestamp > this.streamTime) this.streamTime = timestamp;
    const record = new Record(key, value, timestamp, headers);
    for (const c of source.children) this.deliver(c, record);
    this.current = null;
  }

  /** Appends a record to an input topic and processes it (and what it sends through repartition topics). */
  pipe(topic: string, stored: Stored): void {
    const source = this.sourceFor(topic);
    if (!source) throw new TopologyError(`No source reads topic "${topic}"`);
    let list = this.topics.get(topic);
    if (!list) this.topics.set(topic, (list = []));
    list.push(stored);
    this.consume(source, topic, stored, list.length - 1);
    while (this.pending.length > 0) {
      const [s, t, r, o] = this.pending.shift()!;
      this.consume(s, t, r, o);
    }
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    const h = this;
    return {
      pipeInput(key: K | null, value: V | null, timestamp = 0, headers: RecordHeader[] = []): void {
        h.pipe(topic, {
          key: keySerde.serialize(topic, key, headers),
          value: valueSerde.serialize(topic, value, headers),
          timestamp,
          headers,
          partition: 0,
        });
      },
    };
  }

  /** Raw records of a topic (internal topics by their prefixed name). */
  records(topic: string): readonly Stored[] {
    return this.topics.get(topic) ?? [];
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    const h = this;
    let position = 0;
    const next = (): TestRecord<K, V> => {
      const list = h.topics.get(topic) ?? [];
      const s = list[position];
      if (!s) throw new Error(`no more records in ${topic}`);
      position++;
      return {
        key: keySerde.deserialize(topic, s.key, s.headers) as K,
        value: valueSerde.deserialize(topic, s.value, s.headers) as V,
        timestamp: s.timestamp,
        headers: new Headers(s.headers),
      };
    };
    return {
      readRecord: next,
      readKeyValue: (): [K, V] => {
        const r = next();
        return [r.key, r.value];
      },
      readRecordsToList(): TestRecord<K, V>[] {
        const out: TestRecord<K, V>[] = [];
        while (position < (h.topics.get(topic) ?? []).length) out.push(next());
        return out;
      },
      isEmpty: (): boolean => position >= (h.topics.get(topic) ?? []).length,
    };
  }
}
