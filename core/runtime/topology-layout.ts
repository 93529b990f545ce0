/**
 * A physical topology placed on a log: every source and sink topic resolved to its name on the log
 * (internal topics prefixed with the application id, patterns matched against existing topics), which
 * sub-topology reads which topic, the partition counts of internal topics, the co-partitioning check
 * and the partitions of each task. Shared by the real runtime, the assignor and the test driver.
 */
import type { TopicPartition } from '../log/assignors/partition-assignor.ts';
import {
  resolveTopicName,
  type InternalTopicDef,
  type PhysicalTopology,
  type SinkNodeDef,
  type SourceNodeDef,
  type SubtopologyDef,
} from '../topology/physical-topology.ts';
import { TopologyError } from '../errors/streams-errors.ts';

/** One sub-topology with its topics resolved. */
export interface SubtopologyLayout {
  readonly id: number;
  readonly def: SubtopologyDef;
  /** Every source topic, resolved, in source order. */
  readonly sourceTopics: readonly string[];
  /** Resolved topic -> the source node reading it. */
  readonly sourceByTopic: ReadonlyMap<string, SourceNodeDef>;
  /** Resolved co-partition groups. */
  readonly copartitionGroups: readonly (readonly string[])[];
}

/** An internal topic to create, with its resolved name and partition count. */
export interface InternalTopicPlan {
  readonly name: string;
  readonly def: InternalTopicDef;
  readonly numPartitions: number;
}

/**
 * The resolved layout.
 *
 * @example
 * const layout = TopologyLayout.resolve(topology, 'app', await admin.listTopics());
 * layout.checkCopartitioning(counts); // TopologyError on a mismatch
 */
export class TopologyLayout {
  private readonly byTopic = new Map<string, SubtopologyLayout>();

  private constructor(
    readonly topology: PhysicalTopology,
    readonly applicationId: string,
    readonly subtopologies: readonly SubtopologyLayout[],
  ) {
    for (const s of subtopologies) for (const t of s.sourceTopics) this.byTopic.set(t, s);
  }

  /**
   * Resolves the topology's topics.
   * @param existingTopics topics on the log, for pattern sources (names starting with `__` never match)
   * @throws TopologyError when two sub-topologies read the same topic
   */
  static resolve(topology: PhysicalTopology, applicationId: string, existingTopics: readonly string[]): TopologyLayout {
    const claimed = new Map<string, number>();
    const layouts: SubtopologyLayout[] = [];
    for (const def of topology.subtopologies) {
      const sourceTopics: string[] = [];
      const sourceByTopic = new Map<string, SourceNodeDef>();
      for (const source of def.sources) {
        for (const topic of sourceTopicsOf(source, applicationId, existingTopics)) {
          const other = claimed.get(topic);
          if (other !== undefined && other !== def.id) {
            throw new TopologyError(`Topic "${topic}" is read by sub-topologies ${other} and ${def.id}; a topic may be read by one source only`);
          }
          if (sourceByTopic.has(topic)) continue;
          claimed.set(topic, def.id);
          sourceTopics.push(topic);
          sourceByTopic.set(topic, source);
        }
      }
      const copartitionGroups = def.copartitionGroups.map((g) => g.map((ref) => resolveTopicName(ref, applicationId)));
      layouts.push({ id: def.id, def, sourceTopics, sourceByTopic, copartitionGroups });
    }
    return new TopologyLayout(topology, applicationId, layouts);
  }

  /** The sub-topology reading a resolved topic, or undefined. */
  subtopologyOf(topic: string): SubtopologyLayout | undefined {
    return this.byTopic.get(topic);
  }

  /** Every source topic of every sub-topology. */
  allSourceTopics(): string[] {
    return [...this.byTopic.keys()];
  }

  /** Resolved name of a sink's topic (for a fixed topic; null for a topic name extractor). */
  sinkTopic(sink: SinkNodeDef): string | null {
    if (typeof sink.topic !== 'string') return null;
    return resolveTopicName({ name: sink.topic, internal: sink.internal }, this.applicationId);
  }

  /** Every fixed sink topic of the topology, resolved. */
  allSinkTopics(): string[] {
    const out = new Set<string>();
    for (const s of this.subtopologies) {
      for (const node of s.def.nodes.values()) {
        if (node.kind !== 'sink') continue;
        const t = this.sinkTopic(node);
        if (t !== null) out.add(t);
      }
    }
    return [...out];
  }

  /**
   * Partition counts of the internal topics, as Kafka Streams plans them:
   * 1. a declared count (`numberOfPartitions`) is kept;
   * 2. a repartition topic in a co-partition group (the sources of the sub-topology reading it) that
   *    has external topics takes their count (a foreign-key join's subscription topic the right
   *    table's, its response topic the left table's); in a group of internal topics only, the declared
   *    count of one of them, else the largest count of the group;
   * 3. otherwise a repartition topic takes the largest count among the source topics of the
   *    sub-topology that writes it, and a changelog the task count of the sub-topology whose store
   *    logs into it.
   * Steps 2-3 repeat until no count changes, so chains of repartition topics resolve in dependency
   * order. Existing internal topics do not steer the plan (the caller compares their counts with it).
   * @param counts partition counts of the existing topics
   * @throws TopologyError when the external topics of a co-partition group have different counts
   *   (naming them), or a count cannot be determined
   */
  planInternalTopics(counts: ReadonlyMap<string, number>): InternalTopicPlan[] {
    const defs = new Map<string, InternalTopicDef>();
    for (const def of this.topology.internalTopics.values()) defs.set(resolveTopicName({ name: def.name, internal: true }, this.applicationId), def);
    const external = new Map([...counts].filter(([topic]) => !defs.has(topic)));
    const fixed = this.externalPins(external, defs);
    let pins = fixed;
    let known = this.countsWith(external, defs, pins);
    for (let round = 0; round <= defs.size; round++) {
      const next = this.internalGroupPins(known, defs, fixed);
      if (sameEntries(next, pins)) break;
      pins = next;
      known = this.countsWith(external, defs, pins);
    }
    const pending = [...defs].filter(([name]) => !known.has(name));
    if (pending.length > 0) {
      throw new TopologyError(
        `Cannot determine the partition count of internal topic(s) ${pending.map(([, d]) => `"${d.name}"`).join(', ')}: ` +
          'their upstream sub-topologies have no source topic with a known partition count',
      );
    }
    return [...defs].map(([name, def]) => ({ name, def, numPartitions: known.get(name)! }));
  }

  /**
   * Checks that the topics of each co-partition group have the same partition count.
   * @throws TopologyError naming the topics and their counts
   */
  checkCopartitioning(counts: ReadonlyMap<string, number>): void {
    for (const s of this.subtopologies) {
      for (const group of s.copartitionGroups) {
        const seen = group.map((t) => ({ topic: t, count: counts.get(t) }));
        const missing = seen.filter((x) => x.count === undefined);
        if (missing.length > 0) {
          throw new TopologyError(`Sub-topology ${s.id}: source topic(s) ${missing.map((x) => `"${x.topic}"`).join(', ')} do not exist`);
        }
        if (new Set(seen.map((x) => x.count)).size > 1) throw copartitionMismatch(s.id, seen);
      }
    }
  }

  /** Number of tasks of a sub-topology: the largest partition count among its source topics. */
  numTasks(subtopology: number, counts: ReadonlyMap<string, number>): number {
    const s = this.subtopologies[subtopology];
    return s === undefined ? 0 : Math.max(0, this.maxCount(s, counts));
  }

  /** The topic-partitions of task `<subtopology>_<partition>`. */
  taskPartitions(subtopology: number, partition: number, counts: ReadonlyMap<string, number>): TopicPartition[] {
    const s = this.subtopologies[subtopology];
    if (s === undefined) return [];
    const out: TopicPartition[] = [];
    for (const topic of s.sourceTopics) if (partition < (counts.get(topic) ?? 0)) out.push({ topic, partition });
    return out;
  }

  /** The counts of `external` plus every internal topic that can be determined (steps 1 and 3, `pins` for step 2). */
  private countsWith(external: ReadonlyMap<string, number>, defs: ReadonlyMap<string, InternalTopicDef>, pins: ReadonlyMap<string, number>): Map<string, number> {
    const known = new Map(external);
    const pending = [...defs];
    for (let round = 0; pending.length > 0 && round <= defs.size; round++) {
      for (let i = 0; i < pending.length; i++) {
        const [name, def] = pending[i]!;
        let n = def.numPartitions ?? pins.get(name) ?? -1;
        if (n < 0) {
          const sub = def.producerSubtopology === null ? undefined : this.subtopologies[def.producerSubtopology];
          if (sub !== undefined) n = this.maxCount(sub, known);
        }
        if (n < 0 && def.producerSubtopology === null && def.consumerSubtopology === null) n = 1;
        if (n < 0) continue;
        known.set(name, n);
        pending.splice(i--, 1);
      }
    }
    return known;
  }

  /**
   * Step 2 for groups with external topics: their undeclared internal topics take the external count.
   * @throws TopologyError when the group's external topics have different counts
   */
  private externalPins(external: ReadonlyMap<string, number>, defs: ReadonlyMap<string, InternalTopicDef>): Map<string, number> {
    const pins = new Map<string, number>();
    for (const s of this.subtopologies) {
      for (const group of s.copartitionGroups) {
        const externals = group.filter((t) => !defs.has(t)).map((topic) => ({ topic, count: external.get(topic) }));
        if (externals.length === 0 || externals.some((x) => x.count === undefined)) continue; // a missing source topic: the caller reports it
        if (new Set(externals.map((x) => x.count)).size > 1) throw copartitionMismatch(s.id, externals);
        for (const t of group) {
          const def = defs.get(t);
          if (def !== undefined && def.numPartitions === undefined) pins.set(t, externals[0]!.count!);
        }
      }
    }
    return pins;
  }

  /**
   * Step 2 for groups of internal topics only, given the counts known so far: the declared count of
   * one of them, else the largest count their writing sub-topologies would give them (step 3). Added
   * to `fixed`; the counts only grow from one round to the next, so the rounds end.
   */
  private internalGroupPins(known: ReadonlyMap<string, number>, defs: ReadonlyMap<string, InternalTopicDef>, fixed: ReadonlyMap<string, number>): Map<string, number> {
    const pins = new Map(fixed);
    for (const s of this.subtopologies) {
      for (const group of s.copartitionGroups) {
        if (group.some((t) => !defs.has(t))) continue;
        let declared = -1;
        let upstream = -1;
        for (const t of group) {
          const def = defs.get(t)!;
          if (def.numPartitions !== undefined) declared = Math.max(declared, def.numPartitions);
          const producer = def.producerSubtopology === null ? undefined : this.subtopologies[def.producerSubtopology];
          if (producer !== undefined) upstream = Math.max(upstream, this.maxCount(producer, known));
        }
        const target = declared >= 0 ? declared : upstream;
        if (target < 0) continue;
        for (const t of group) if (defs.get(t)!.numPartitions === undefined) pins.set(t, target);
      }
    }
    return pins;
  }

  private maxCount(s: SubtopologyLayout, counts: ReadonlyMap<string, number>): number {
    let n = -1;
    for (const t of s.sourceTopics) {
      const c = counts.get(t);
      if (c !== undefined && c > n) n = c;
    }
    return n;
  }
}

function copartitionMismatch(subtopology: number, seen: readonly { topic: string; count: number | undefined }[]): TopologyError {
  return new TopologyError(
    `Sub-topology ${subtopology}: co-partitioned topics have different partition counts: ` +
      `${seen.map((x) => `${x.topic} (${x.count})`).join(', ')}; they must be equal so that partition p of each goes to the same task`,
  );
}

function sameEntries(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function sourceTopicsOf(source: SourceNodeDef, applicationId: string, existing: readonly string[]): string[] {
  const topics = source.topics;
  if (topics instanceof RegExp) {
    return existing.filter((t) => {
      if (t.startsWith('__')) return false;
      topics.lastIndex = 0;
      return topics.test(t);
    }).sort();
  }
  return topics.map((name) => resolveTopicName({ name, internal: source.internal }, applicationId));
}
