/**
 * The log router: raw lines in, typed JSON events out, routed by level and by service.
 *
 *   raw-logs (log-line serde: parses; malformed lines -> dead-letter topic via the error handler)
 *     -> to logs.<level>                (topic chosen per record)
 *     -> selectKey(service) -> to logs.by-service  (keyed by service: one service, one partition)
 */
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { levelTopic, type LogEvent } from './log-event.ts';
import { logLineSerde } from './log-line-serde.ts';

export const RAW_TOPIC = 'raw-logs';
export const BY_SERVICE_TOPIC = 'logs.by-service';
export const DEAD_LETTER_TOPIC = 'logs.dead-letter';

/** Builds the router's topology. */
export function logRouterTopology(): PhysicalTopology {
  const builder = new StreamsBuilder();
  const events = builder.stream<string, LogEvent>(RAW_TOPIC, {
    keySerde: Serdes.string(),
    valueSerde: logLineSerde,
    timestampExtractor: (record) => (record.value as LogEvent).timestamp,
    name: 'raw-lines',
  });
  const json = Serdes.json<LogEvent>();
  events.to((_key, event) => levelTopic(event.level), { keySerde: Serdes.string(), valueSerde: json, name: 'by-level' });
  events
    .selectKey((_key, event) => event.service, { name: 'service-key' })
    .to(BY_SERVICE_TOPIC, { keySerde: Serdes.string(), valueSerde: json, name: 'by-service' });
  return builder.build();
}
