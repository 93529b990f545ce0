/**
 * What every API handler of the broker shares: the log engine (topics, partitions, groups, transactions), the
 * broker's identity as clients see it (node id, advertised host and port, cluster id), its settings and
 * its logger. One instance per {@link KafkaBroker}.
 */
import type { ClientLogger } from '../clients/log-client.ts';
import type { AppendNotifier } from '../clients/embedded/append-notifier.ts';
import type { GroupCoordinator } from '../log/group-coordinator.ts';
import type { LogManager } from '../log/log-manager.ts';
import type { TransactionCoordinator } from '../log/transaction-coordinator.ts';
import type { Clock } from '../time/clock.ts';
import type { ReadBufferPool } from './read-buffer-pool.ts';

/** Where the broker reports connections, bad input and failures (same shape as the client logger). */
export type BrokerLogger = ClientLogger;

/** The node id of the one broker (also the controller and every partition's leader). */
export const BROKER_NODE_ID = 0;

/** The broker state every handler reads. */
export interface BrokerContext {
  readonly logManager: LogManager;
  readonly coordinator: GroupCoordinator;
  /** Transactional ids, their producer ids and epochs, and the two-phase commit of their transactions. */
  readonly transactions: TransactionCoordinator;
  readonly clock: Clock;
  readonly logger: BrokerLogger;
  /** Wakes long-polling fetches when records are appended (no polling). */
  readonly notifier: AppendNotifier;
  readonly nodeId: number;
  /** Host and port clients are told to connect to (Metadata, FindCoordinator). */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly clusterId: string;
  /** Kafka's `auto.create.topics.enable`: Metadata may create topics it is asked about. */
  readonly autoCreateTopics: boolean;
  /** Kafka's `num.partitions`: partitions of auto-created topics and of CreateTopics with -1. */
  readonly defaultNumPartitions: number;
  /** Kafka's `socket.request.max.bytes`. */
  readonly socketRequestMaxBytes: number;
  /** The host each group member joined from, by group id and member id, for DescribeGroups (`clientHost`). */
  readonly memberHosts: Map<string, Map<string, string>>;
  /** Buffers Fetch reads segments into, back once the response is written. */
  readonly readBuffers: ReadBufferPool;
}

/** The request being handled: its header fields and where it came from. */
export interface RequestContext {
  readonly broker: BrokerContext;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string;
  /** `host:port` of the client, for logs. */
  readonly clientAddress: string;
  /** The client host as Kafka prints it in DescribeGroups (`/127.0.0.1`). */
  readonly clientHost: string;
  /**
   * Set by a handler whose response references memory to give back once the response is written (Fetch's
   * pooled segment reads); called when the connection is done writing it. Not called for a response that
   * is never written (the connection closed first): that memory is left to the garbage collector.
   */
  written: (() => void) | null;
}
