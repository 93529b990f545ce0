/**
 * A printable description of a topology, in the format of Kafka Streams' `TopologyDescription`:
 *
 * ```
 * Topologies:
 *    Sub-topology: 0
 *     Source: orders-source (topics: [orders])
 *       --> orders-source.filter-0
 *     Processor: orders-source.filter-0 (stores: [])
 *       --> orders-source.filter-0.to-0
 *       <-- orders-source
 *     Sink: orders-source.filter-0.to-0 (topic: big-orders)
 *       <-- orders-source.filter-0
 *
 *   Sub-topology: 1 for global store (will not generate tasks)
 *     Source: countries (topics: [countries])
 *       --> countries-table-source
 *     Processor: countries-table-source (stores: [countries-store])
 *       --> none
 *       <-- countries
 * ```
 *
 * Global stores are numbered after the sub-topologies that run as tasks (Kafka numbers them in the
 * order their sources were added), so task ids `<sub-topology>_<partition>` never depend on them.
 */
import type { GlobalStoreDef, NodeDef, SubtopologyDef } from './physical-topology.ts';
import { renderMermaid } from './topology-mermaid.ts';

/** Members every node description has. */
interface NodeDescriptionBase {
  readonly name: string;
  /** Parent node names (none for a source). */
  readonly predecessors: readonly string[];
  /** Child node names (none for a sink). */
  readonly successors: readonly string[];
}

/** A source: reads named topics or a pattern. */
export interface SourceDescription extends NodeDescriptionBase {
  readonly kind: 'source';
  /** Topic names (internal ones unprefixed), or null for a pattern source. */
  readonly topics: readonly string[] | null;
  readonly topicPattern: RegExp | null;
}

/** A processor and the stores it is connected to. */
export interface ProcessorDescription extends NodeDescriptionBase {
  readonly kind: 'processor';
  readonly stores: readonly string[];
}

/** A sink: writes to a fixed topic or to the topic a TopicNameExtractor picks. */
export interface SinkDescription extends NodeDescriptionBase {
  readonly kind: 'sink';
  /** The topic (internal ones unprefixed), or null when an extractor picks it. */
  readonly topic: string | null;
  /** The extractor function's name (or `anonymous`) when the topic is dynamic. */
  readonly extractorName: string | null;
}

/** Any node description. */
export type NodeDescription = SourceDescription | ProcessorDescription | SinkDescription;

/** One sub-topology: its id and its nodes, ordered like Kafka Streams (bigger sub-tree first, then name). */
export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

/**
 * A global store: the source reading its topic and the processor updating it. It runs on every
 * instance in the global stream thread and generates no tasks.
 */
export interface GlobalStoreDescription {
  /** Numbered after the sub-topologies. */
  readonly id: number;
  readonly source: SourceDescription;
  readonly processor: ProcessorDescription;
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.join(', ');
}

function nodeToString(node: NodeDescription): string {
  switch (node.kind) {
    case 'source': {
      const what = node.topicPattern !== null ? `topicPattern: ${node.topicPattern.source}` : `topics: [${node.topics!.join(', ')}]`;
      return `    Source: ${node.name} (${what})\n      --> ${names(node.successors)}\n`;
    }
    case 'processor':
      return (
        `    Processor: ${node.name} (stores: [${node.stores.join(', ')}])\n` +
        `      --> ${names(node.successors)}\n      <-- ${names(node.predecessors)}\n`
      );
    case 'sink': {
      const what = node.topic !== null ? `topic: ${node.topic}` : `extractor: ${node.extractorName}`;
      return `    Sink: ${node.name} (${what})\n      <-- ${names(node.predecessors)}\n`;
    }
  }
}

/**
 * The description of a topology: sub-topologies with their sources, processors, sinks and stores.
 * `toString()` prints Kafka Streams' format; `toMermaid()` renders a Mermaid flowchart.
 *
 * @example
 * console.log(builder.build().describe().toString());
 */
export class TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  /** The global stores (GlobalKTables). */
  readonly globalStores: readonly GlobalStoreDescription[];

  constructor(subtopologies: readonly SubtopologyDescription[], globalStores: readonly GlobalStoreDescription[] = []) {
    this.subtopologies = subtopologies;
    this.globalStores = globalStores;
  }

  /**
   * Kafka Streams' text format (`Topologies:` / `Sub-topology: n` / `Source:` `Processor:` `Sink:`
   * with `-->` successors and `<--` predecessors; a global store as
   * `Sub-topology: n for global store (will not generate tasks)`).
   */
  toString(): string {
    let out = 'Topologies:\n';
    for (const sub of this.subtopologies) {
      out += `   Sub-topology: ${sub.id}\n`;
      for (const node of sub.nodes) out += nodeToString(node);
      out += '\n';
    }
    for (const g of this.globalStores) {
      out += `   Sub-topology: ${g.id} for global store (will not generate tasks)\n`;
      out += nodeToString(g.source) + nodeToString(g.processor) + '\n';
    }
    return out;
  }

  /**
   * A Mermaid flowchart: one subgraph per sub-topology, topics as nodes outside them (so a repartition
   * topic links the sub-topology that writes it to the one that reads it), stores as cylinders.
   */
  toMermaid(): string {
    return renderMermaid(this);
  }
}

/** Sub-tree sizes (the node and every node reachable below it), memoized. */
function subtreeSizes(nodes: ReadonlyMap<string, NodeDef>): Map<string, number> {
  const reach = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = reach.get(name);
    if (known) return known;
    const set = new Set<string>([name]);
    reach.set(name, set);
    const node = nodes.get(name)!;
    if (node.kind !== 'sink') for (const child of node.children) for (const n of visit(child)) set.add(n);
    return set;
  };
  const sizes = new Map<string, number>();
  for (const name of nodes.keys()) sizes.set(name, visit(name).size);
  return sizes;
}

function describeNode(node: NodeDef): NodeDescription {
  switch (node.kind) {
    case 'source': {
      const pattern = node.topics instanceof RegExp ? node.topics : null;
      const topics = node.topics instanceof RegExp ? null : node.topics;
      return { kind: 'source', name: node.name, predecessors: [], successors: node.children, topics, topicPattern: pattern };
    }
    case 'processor':
      return { kind: 'processor', name: node.name, predecessors: node.parents, successors: node.children, stores: node.stores };
    case 'sink': {
      const dynamic = typeof node.topic === 'function';
      return {
        kind: 'sink',
        name: node.name,
        predecessors: node.parents,
        successors: [],
        topic: dynamic ? null : (node.topic as string),
        extractorName: dynamic ? (node.topic as { name: string }).name || 'anonymous' : null,
      };
    }
  }
}

/**
 * Describes the sub-topologies of a physical topology; nodes are ordered like Kafka Streams (larger
 * sub-tree first, ties by name), so sources come first and sinks last.
 */
export function describeSubtopologies(subtopologies: readonly SubtopologyDef[], globalStores: readonly GlobalStoreDef[] = []): TopologyDescription {
  const globals = globalStores.map((g, i): GlobalStoreDescription => {
    const store = g.builder.name;
    const sourceName = g.sourceName ?? `global-${store}-source`;
    const processorName = g.processorName ?? `global-${store}-update`;
    return {
      id: subtopologies.length + i,
      source: { kind: 'source', name: sourceName, predecessors: [], successors: [processorName], topics: [g.topic], topicPattern: null },
      processor: { kind: 'processor', name: processorName, predecessors: [sourceName], successors: [], stores: [store] },
    };
  });
  return new TopologyDescription(
    subtopologies.map((sub) => {
      const sizes = subtreeSizes(sub.nodes);
      const ordered = [...sub.nodes.values()].sort((a, b) => {
        const d = sizes.get(b.name)! - sizes.get(a.name)!;
        return d !== 0 ? d : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      });
      return { id: sub.id, nodes: ordered.map(describeNode) };
    }),
    globals,
  );
}
