/**
 * The metrics aggregation as a topology worker module for `tributary run`: run several of these against
 * one broker (or Kafka cluster) and they divide the tasks; kill one and the others take its tasks over,
 * restoring the window aggregates from the changelogs.
 *
 *   tributary broker --data ./data --port 9092 &
 *   tributary topics create service-metrics --partitions 6 --data ...   (or any Kafka admin tool)
 *   tributary run examples/metrics-aggregation/worker-app.ts --bootstrap localhost:9092 --state-dir ./state-1
 *   tributary run examples/metrics-aggregation/worker-app.ts --bootstrap localhost:9092 --state-dir ./state-2
 *
 * Events go to `service-metrics` keyed by `<service> <endpoint>` ({@link metricKey}); final window
 * results come out of `endpoint-metrics-1m`.
 */
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import type { WorkerConfig } from '../../cli/run-command.ts';
import { metricsTopology } from './metrics-topology.ts';
import { APPLICATION_ID } from './run-metrics-aggregation.ts';

export { metricKey } from './metrics-topology.ts';

/** Builds the topology (once per worker): windows in LMDB window stores, changelogged. */
export function topology(): PhysicalTopology {
  return metricsTopology({ kind: 'lmdb' });
}

/**
 * The worker config; `tributary run --config key=value` overrides the numbers. Exactly-once: a worker killed
 * at any moment leaves no window counted twice (its open transaction is aborted, at the latest after
 * `transactionTimeoutMs`, and the worker taking its tasks over resumes from the last commit).
 */
export const config: WorkerConfig = {
  applicationId: APPLICATION_ID,
  processingGuarantee: 'exactly_once_v2',
  commitIntervalMs: 1000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  maxBufferedRecordsPerPartition: 5000,
};
