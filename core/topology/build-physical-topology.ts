/**
 * Validates what was added to a {@link Topology} and turns it into the immutable {@link PhysicalTopology}:
 * children lists, store connections, sub-topologies, internal topics and co-partition groups.
 */
import { TopologyError } from '../errors/streams-errors.ts';
import type { StoreBuilder } from '../processor/state-store.ts';
import {
  changelogTopicName,
  type GlobalStoreDef,
  type InternalTopicDef,
  type NodeDef,
  type PhysicalTopology,
  type ProcessorNodeDef,
  type SinkNodeDef,
  type SourceNodeDef,
  type SubtopologyDef,
  type TopicRef,
} from './physical-topology.ts';
import { describeSubtopologies, type TopologyDescription } from './topology-description.ts';

/** A node as added to the topology (children are derived from the parents at build time). */
export type NodeSpec = Omit<SourceNodeDef, 'children'> | Omit<ProcessorNodeDef, 'children' | 'stores'> | SinkNodeDef;

/** An internal topic as declared with `addInternalTopic` (or implied by an internal source or sink). */
export interface InternalTopicSpec {
  readonly kind: 'repartition' | 'changelog';
  readonly numPartitions?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/** Everything added to a topology, in insertion order. */
export interface TopologySpec {
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly stores: ReadonlyMap<string, StoreBuilder>;
  /** processor name -> store names, in connection order. */
  readonly storeConnections: ReadonlyMap<string, readonly string[]>;
  readonly internalTopics: ReadonlyMap<string, InternalTopicSpec>;
  /** Global stores, in the order they were added (optional for callers that have none). */
  readonly globalStores?: readonly GlobalStoreDef[];
}

class BuiltTopology implements PhysicalTopology {
  constructor(
    readonly subtopologies: readonly SubtopologyDef[],
    readonly internalTopics: ReadonlyMap<string, InternalTopicDef>,
    readonly storeBuilders: ReadonlyMap<string, StoreBuilder>,
    readonly globalStores: readonly GlobalStoreDef[],
  ) {}

  describe(): TopologyDescription {
    return describeSubtopologies(this.subtopologies, this.globalStores);
  }
}

/** Union-find over node names. */
class Components {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function parentsOf(spec: NodeSpec): readonly string[] {
  return spec.kind === 'source' ? [] : spec.parents;
}

/** Step 1: every parent exists, is not a sink and is not the node itself; derive children lists. */
function childrenLists(spec: TopologySpec): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const name of spec.nodes.keys()) children.set(name, []);
  for (const node of spec.nodes.values()) {
    if (node.kind !== 'source' && node.parents.length === 0) {
      throw new TopologyError(`${node.kind === 'sink' ? 'Sink' : 'Processor'} "${node.name}" has no parent`);
    }
    for (const parent of parentsOf(node)) {
      const p = spec.nodes.get(parent);
      if (p === undefined) throw new TopologyError(`Node "${node.name}" has unknown parent "${parent}"`);
      if (parent === node.name) throw new TopologyError(`Node "${node.name}" cannot be its own parent`);
      if (p.kind === 'sink') throw new TopologyError(`Sink "${parent}" cannot be the parent of "${node.name}"`);
      children.get(parent)!.push(node.name);
    }
  }
  return children;
}

/** Step 2: the parent/child graph has no cycle (reported as the path that closes it). */
function checkAcyclic(children: ReadonlyMap<string, readonly string[]>): void {
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  const path: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 1);
    path.push(name);
    for (const child of children.get(name)!) {
      const s = state.get(child);
      if (s === 1) {
        const cycle = [...path.slice(path.indexOf(child)), child];
        throw new TopologyError(`Topology has a cycle: ${cycle.join(' -> ')}`);
      }
      if (s === undefined) visit(child);
    }
    path.pop();
    state.set(name, 2);
  };
  for (const name of children.keys()) if (!state.has(name)) visit(name);
}

/** Step 3: store connections name existing processors and stores; every store is used. */
function checkStores(spec: TopologySpec): void {
  const used = new Set<string>();
  for (const [processor, stores] of spec.storeConnections) {
    const node = spec.nodes.get(processor);
    if (node === undefined) throw new TopologyError(`Store connection names unknown processor "${processor}"`);
    if (node.kind !== 'processor') throw new TopologyError(`Only processors can use stores; "${processor}" is a ${node.kind}`);
    for (const store of stores) {
      if (spec.globalStores?.some((g) => g.builder.name === store)) {
        throw new TopologyError(`Processor "${processor}" is connected to global store "${store}": processors read global stores without a connection`);
      }
      if (!spec.stores.has(store)) throw new TopologyError(`Processor "${processor}" is connected to unknown store "${store}"`);
      used.add(store);
    }
  }
  for (const store of spec.stores.keys()) {
    if (!used.has(store)) throw new TopologyError(`Store "${store}" is not connected to any processor`);
  }
}

function sourceRefs(source: SourceNodeDef): TopicRef[] {
  return source.topics instanceof RegExp ? [] : source.topics.map((name) => ({ name, internal: source.internal }));
}

/**
 * Validates the spec and builds the physical topology.
 *
 * @throws TopologyError for an unknown parent, a cycle, a processor or sink without parent, a sink as a
 *   parent, a store connection to an unknown processor or store, or a store no processor uses.
 */
export function buildPhysicalTopology(spec: TopologySpec): PhysicalTopology {
  const children = childrenLists(spec);
  checkAcyclic(children);
  checkStores(spec);

  // Step 4: the final node definitions.
  const defs = new Map<string, NodeDef>();
  for (const node of spec.nodes.values()) {
    const kids = Object.freeze(children.get(node.name)!.slice());
    if (node.kind === 'source') defs.set(node.name, Object.freeze({ ...node, children: kids }));
    else if (node.kind === 'processor') {
      const stores = Object.freeze((spec.storeConnections.get(node.name) ?? []).slice());
      defs.set(node.name, Object.freeze({ ...node, children: kids, stores }));
    } else defs.set(node.name, Object.freeze({ ...node }));
  }

  // Step 5: sub-topologies = nodes connected by edges or a shared store, numbered by first source.
  const components = new Components();
  for (const def of defs.values()) {
    components.find(def.name);
    if (def.kind !== 'sink') for (const child of def.children) components.union(def.name, child);
  }
  const storeUser = new Map<string, string>();
  for (const [processor, stores] of spec.storeConnections) {
    for (const store of stores) {
      const first = storeUser.get(store);
      if (first === undefined) storeUser.set(store, processor);
      else components.union(first, processor);
    }
  }
  const idOfRoot = new Map<string, number>();
  for (const def of defs.values()) {
    if (def.kind === 'source' && !idOfRoot.has(components.find(def.name))) idOfRoot.set(components.find(def.name), idOfRoot.size);
  }
  const subNodes: Map<string, NodeDef>[] = [...idOfRoot.keys()].map(() => new Map());
  for (const def of defs.values()) {
    const id = idOfRoot.get(components.find(def.name));
    if (id === undefined) throw new TopologyError(`Node "${def.name}" is not reachable from any source`);
    subNodes[id]!.set(def.name, def);
  }
  const subtopologyOfNode = (name: string): number => idOfRoot.get(components.find(name))!;

  const subtopologies: SubtopologyDef[] = subNodes.map((nodes, id) => {
    const sources = [...nodes.values()].filter((n): n is SourceNodeDef => n.kind === 'source');
    const storeNames: string[] = [];
    for (const n of nodes.values()) if (n.kind === 'processor') for (const s of n.stores) if (!storeNames.includes(s)) storeNames.push(s);
    const group = sources.flatMap(sourceRefs);
    return Object.freeze({
      id,
      sources: Object.freeze(sources),
      nodes,
      storeNames: Object.freeze(storeNames),
      copartitionGroups: Object.freeze(group.length === 0 ? [] : [Object.freeze(group)]),
    });
  });

  // Step 6: internal topics: declared ones, the ones internal sources and sinks name, store changelogs.
  const internalTopics = new Map<string, InternalTopicDef>();
  const producerOf = new Map<string, number>();
  const consumerOf = new Map<string, number>();
  for (const def of defs.values()) {
    if (def.kind === 'source' && def.internal) for (const t of def.topics as readonly string[]) consumerOf.set(t, subtopologyOfNode(def.name));
    if (def.kind === 'sink' && def.internal) producerOf.set(def.topic as string, subtopologyOfNode(def.name));
  }
  const declared = new Map(spec.internalTopics);
  for (const name of [...consumerOf.keys(), ...producerOf.keys()]) if (!declared.has(name)) declared.set(name, { kind: 'repartition' });
  for (const [name, topic] of declared) {
    if (topic.kind !== 'repartition') continue;
    internalTopics.set(
      name,
      Object.freeze({
        name,
        kind: 'repartition' as const,
        ...(topic.numPartitions === undefined ? {} : { numPartitions: topic.numPartitions }),
        configs: Object.freeze({ ...topic.configs }),
        producerSubtopology: producerOf.get(name) ?? null,
        consumerSubtopology: consumerOf.get(name) ?? null,
      }),
    );
  }
  for (const [store, builder] of spec.stores) {
    if (!builder.loggingEnabled) continue;
    const name = changelogTopicName(store);
    const explicit = declared.get(name);
    internalTopics.set(
      name,
      Object.freeze({
        name,
        kind: 'changelog' as const,
        ...(explicit?.numPartitions === undefined ? {} : { numPartitions: explicit.numPartitions }),
        configs: Object.freeze({ 'cleanup.policy': 'compact', ...builder.logConfig, ...explicit?.configs }),
        producerSubtopology: subtopologyOfNode(storeUser.get(store)!),
        consumerSubtopology: null,
      }),
    );
  }

  for (const [name, topic] of declared) {
    if (topic.kind !== 'changelog' || internalTopics.has(name)) continue;
    internalTopics.set(
      name,
      Object.freeze({
        name,
        kind: 'changelog' as const,
        ...(topic.numPartitions === undefined ? {} : { numPartitions: topic.numPartitions }),
        configs: Object.freeze({ 'cleanup.policy': 'compact', ...topic.configs }),
        producerSubtopology: null,
        consumerSubtopology: null,
      }),
    );
  }

  const globalStores = Object.freeze([...(spec.globalStores ?? [])]);
  return Object.freeze(new BuiltTopology(Object.freeze(subtopologies), internalTopics, new Map(spec.stores), globalStores));
}
