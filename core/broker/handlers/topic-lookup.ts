/**
 * Topic lookups the handlers share: topic ids to names (Fetch v13, Metadata v10+, DeleteTopics v6), and
 * the error code for a topic name Kafka would refuse.
 */
import type { LogManager } from '../../log/log-manager.ts';

/** Every topic's name by its topic id. */
export function topicNamesById(logs: LogManager): Map<string, string> {
  const byId = new Map<string, string>();
  for (const t of logs.listTopics()) byId.set(t.topicId, t.name);
  return byId;
}
