/**
 * Renders a {@link TopologyDescription} as a Mermaid flowchart: one subgraph per sub-topology (and per
 * global store), topics as parallelogram nodes outside the subgraphs (so a repartition topic connects the
 * sub-topology that writes it to the one that reads it), stores as cylinders linked to their processors.
 */
import type { TopologyDescription } from './topology-description.ts';

/** Escapes a label for a quoted Mermaid node label. */
function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')}"`;
}

/**
 * The Mermaid source of a topology description. Node ids are generated (`n0`, `t0`, `s0`), labels carry
 * the names, so any node, topic or store name renders.
 *
 * @example
 * renderMermaid(topology.describe()); // 'flowchart LR\n  subgraph sub0["Sub-topology: 0"] ...'
 */
export function renderMermaid(description: TopologyDescription): string {
  const lines: string[] = ['flowchart LR'];
  const nodeIds = new Map<string, string>();
  const topicIds = new Map<string, string>();
  const storeIds = new Map<string, string>();
  const edges: string[] = [];

  const topicId = (topic: string): string => {
    let id = topicIds.get(topic);
    if (id === undefined) {
      id = `t${topicIds.size}`;
      topicIds.set(topic, id);
    }
    return id;
  };
  const storeId = (store: string): string => {
    let id = storeIds.get(store);
    if (id === undefined) {
      id = `s${storeIds.size}`;
      storeIds.set(store, id);
    }
    return id;
  };

  for (const sub of description.subtopologies) {
    for (const node of sub.nodes) nodeIds.set(node.name, `n${nodeIds.size}`);
  }

  for (const sub of description.subtopologies) {
    lines.push(`  subgraph sub${sub.id}[${label(`Sub-topology: ${sub.id}`)}]`);
    for (const node of sub.nodes) {
      const id = nodeIds.get(node.name)!;
      const kind = node.kind === 'source' ? 'Source' : node.kind === 'processor' ? 'Processor' : 'Sink';
      lines.push(`    ${id}[${label(`${kind}: ${node.name}`)}]`);
      for (const child of node.successors) edges.push(`  ${id} --> ${nodeIds.get(child)}`);
      if (node.kind === 'source') {
        if (node.topicPattern !== null) edges.push(`  ${topicId(`/${node.topicPattern.source}/`)} --> ${id}`);
        else for (const topic of node.topics!) edges.push(`  ${topicId(topic)} --> ${id}`);
      } else if (node.kind === 'sink') {
        edges.push(`  ${id} --> ${topicId(node.topic ?? `(${node.extractorName}) topic`)}`);
      } else {
        for (const store of node.stores) edges.push(`  ${id} --- ${storeId(store)}`);
      }
    }
    lines.push('  end');
  }
  for (const g of description.globalStores) {
    const source = `n${nodeIds.size}`;
    nodeIds.set(g.source.name, source);
    const processor = `n${nodeIds.size}`;
    nodeIds.set(g.processor.name, processor);
    lines.push(`  subgraph sub${g.id}[${label(`Sub-topology: ${g.id} for global store`)}]`);
    lines.push(`    ${source}[${label(`Source: ${g.source.name}`)}]`, `    ${processor}[${label(`Processor: ${g.processor.name}`)}]`);
    lines.push('  end');
    for (const topic of g.source.topics ?? []) edges.push(`  ${topicId(topic)} --> ${source}`);
    edges.push(`  ${source} --> ${processor}`);
    for (const store of g.processor.stores) edges.push(`  ${processor} --- ${storeId(store)}`);
  }
  for (const [topic, id] of topicIds) lines.push(`  ${id}[/${label(topic)}/]`);
  for (const [store, id] of storeIds) lines.push(`  ${id}[(${label(store)})]`);
  lines.push(...edges);
  return lines.join('\n') + '\n';
}
