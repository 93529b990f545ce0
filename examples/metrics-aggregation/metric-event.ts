/**
 * One service metrics event: a request to an endpoint of a service, how long it took and its HTTP
 * status. The event time is `timestamp` (the timestamp extractor of the topology reads it).
 */
import { Serdes } from '../../core/serde/serdes.ts';
import type { Serde } from '../../core/serde/serde.ts';

/** A request observed by a service. */
export interface MetricEvent {
  readonly service: string;
  readonly endpoint: string;
  /** Request latency in milliseconds. */
  readonly latencyMs: number;
  /** HTTP status; >= 500 counts as an error. */
  readonly status: number;
  /** Event time, ms since the epoch. */
  readonly timestamp: number;
}

/** The topic the events are produced to (keyed by `<service> <endpoint>`). */
export const EVENTS_TOPIC = 'service-metrics';

/** Whether an event counts as an error (5xx). */
export function isError(event: MetricEvent): boolean {
  return event.status >= 500;
}

/** JSON serde of events. */
export const metricEventSerde: Serde<MetricEvent> = Serdes.json<MetricEvent>();
