/**
 * What the runtime does with topics and serdes before joining the group: resolve the topology on the
 * log, check that source topics exist, create internal topics (or check their partition count), check
 * co-partitioning, and await each serde's `prepare` hook for the fixed topics it serves.
 */
import type { Admin } from '../clients/log-client.ts';
import type { Serde } from '../serde/serde.ts';
import type { PhysicalTopology } from '../topology/physical-topology.ts';
import { TopologyError } from '../errors/streams-errors.ts';
import { TopologyLayout } from './topology-layout.ts';

/**
 * Resolves the layout and makes the topics ready.
 *
 * @returns the layout and the partition count of every source, sink and internal topic known
 * @throws TopologyError for missing source topics, an internal topic with a different partition count,
 *   or co-partitioned topics with different counts
 * @example
 * const { layout, counts } = await prepareTopics(topology, 'app', admin);
 */
export async function prepareTopics(
  topology: PhysicalTopology,
  applicationId: string,
  admin: Admin,
): Promise<{ layout: TopologyLayout; counts: Map<string, number> }> {
  const existing = await admin.listTopics();
  const layout = TopologyLayout.resolve(topology, applicationId, existing);
  const counts = new Map<string, number>();
  const known = new Set(existing);
  const wanted = [...new Set([...layout.allSourceTopics(), ...layout.allSinkTopics()])].filter((t) => known.has(t));
  if (wanted.length > 0) {
    const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
    for (const t of topics) counts.set(t.name, t.partitions.length);
  }
  const plans = layout.planInternalTopics(counts);
  const internal = new Set(plans.map((p) => p.name));
  const missing = layout.allSourceTopics().filter((t) => !counts.has(t) && !internal.has(t));
  if (missing.length > 0) {
    throw new TopologyError(`Application "${applicationId}": source topic(s) ${missing.map((t) => `"${t}"`).join(', ')} do not exist; create them first`);
  }
  const toCreate = [];
  for (const plan of plans) {
    const have = counts.get(plan.name);
    if (have !== undefined && have !== plan.numPartitions) {
      throw new TopologyError(`Internal topic "${plan.name}" exists with ${have} partition(s) but the topology needs ${plan.numPartitions}`);
    }
    counts.set(plan.name, plan.numPartitions);
    if (have === undefined) {
      toCreate.push({
        topic: plan.name,
        numPartitions: plan.numPartitions,
        configEntries: Object.entries(plan.def.configs).map(([name, value]) => ({ name, value })),
      });
    }
  }
  if (toCreate.length > 0) await admin.createTopics({ topics: toCreate });
  layout.checkCopartitioning(counts);
  return { layout, counts };
}

/**
 * Awaits each source and sink serde's `prepare` hook (schema registration, ...) for the fixed topics it
 * serves (topics chosen per record by an extractor are prepared by the serde on first use, if at all).
 */
export async function prepareSerdes(layout: TopologyLayout, defaultKeySerde: Serde<any> | undefined, defaultValueSerde: Serde<any> | undefined): Promise<void> {
  for (const sub of layout.subtopologies) {
    for (const node of sub.def.nodes.values()) {
      if (node.kind === 'processor') continue;
      const topics = node.kind === 'source' ? sub.sourceTopics.filter((t) => sub.sourceByTopic.get(t) === node) : [layout.sinkTopic(node)];
      const keySerde = node.keySerde ?? defaultKeySerde;
      const valueSerde = node.valueSerde ?? defaultValueSerde;
      for (const topic of topics) {
        if (topic === null) continue;
        await keySerde?.prepare?.(topic, true);
        await valueSerde?.prepare?.(topic, false);
      }
    }
  }
}
