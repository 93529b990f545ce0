/**
 * Builds a task's executable processor graph from a sub-topology: one runtime node per topology node
 * (fresh processors from the suppliers), sources and sinks with their serdes (else the application's
 * defaults), sink topics resolved, children wired in topology order.
 */
import type { Serde } from '../serde/serde.ts';
import { resolveTopicName, type SubtopologyDef } from '../topology/physical-topology.ts';
import { TopologyError } from '../errors/streams-errors.ts';
import type { HandlerResponse, ProductionErrorContext } from './error-handlers.ts';
import type { ProcessorContextImpl } from './processor-context-impl.ts';
import { ProcessorNode } from './processor-node.ts';
import type { RecordCollector } from './record-collector.ts';
import type { RuntimeNode } from './runtime-node.ts';
import { SinkNode } from './sink-node.ts';
import { SourceNode } from './source-node.ts';

/** What building the nodes needs. */
export interface TaskNodeOptions {
  readonly applicationId: string;
  readonly collector: RecordCollector;
  readonly defaultKeySerde?: Serde<any> | undefined;
  readonly defaultValueSerde?: Serde<any> | undefined;
  readonly onProductionError: (context: ProductionErrorContext) => HandlerResponse;
}

/**
 * The nodes of one task, in topology order, and its source nodes by name.
 *
 * @throws TopologyError when a source or sink has no serde and no default is configured
 * @example
 * const { nodes, sources } = buildTaskNodes(sub.def, context, options);
 */
export function buildTaskNodes(
  def: SubtopologyDef,
  context: ProcessorContextImpl,
  o: TaskNodeOptions,
): { nodes: RuntimeNode[]; sources: Map<string, SourceNode> } {
  const byName = new Map<string, RuntimeNode>();
  const sources = new Map<string, SourceNode>();
  const nodes: RuntimeNode[] = [];
  for (const node of def.nodes.values()) {
    let runtime: RuntimeNode;
    if (node.kind === 'source') {
      const source = new SourceNode(
        node.name,
        context,
        serdeOr(node.keySerde, o.defaultKeySerde, `Source "${node.name}" has no key serde and no defaultKeySerde is configured`),
        serdeOr(node.valueSerde, o.defaultValueSerde, `Source "${node.name}" has no value serde and no defaultValueSerde is configured`),
        node.timestampExtractor ?? null,
      );
      sources.set(node.name, source);
      runtime = source;
    } else if (node.kind === 'processor') {
      runtime = new ProcessorNode(node.name, node.supplier, node.stores, context);
    } else {
      const topic = typeof node.topic === 'string' ? resolveTopicName({ name: node.topic, internal: node.internal }, o.applicationId) : node.topic;
      runtime = new SinkNode(
        node.name,
        topic,
        serdeOr(node.keySerde, o.defaultKeySerde, `Sink "${node.name}" has no key serde and no defaultKeySerde is configured`),
        serdeOr(node.valueSerde, o.defaultValueSerde, `Sink "${node.name}" has no value serde and no defaultValueSerde is configured`),
        node.partitioner,
        context,
        o.collector,
        o.onProductionError,
      );
    }
    byName.set(node.name, runtime);
    nodes.push(runtime);
  }
  for (const node of def.nodes.values()) {
    if (node.kind === 'sink') continue;
    const parent = byName.get(node.name)!;
    for (const childName of node.children) {
      const child = byName.get(childName);
      if (child === undefined) throw new TopologyError(`Node "${node.name}" has unknown child "${childName}"`);
      parent.children.push(child);
    }
  }
  return { nodes, sources };
}

function serdeOr(own: Serde<unknown> | undefined, fallback: Serde<any> | undefined, message: string): Serde<unknown> {
  const serde = own ?? fallback;
  if (serde === undefined) throw new TopologyError(message);
  return serde;
}
