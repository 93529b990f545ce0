/**
 * The streams application: runs a {@link PhysicalTopology} as tasks over the partitions of its input
 * topics, on the embedded log or any {@link LogClient}, with committed progress (at-least-once).
 * Several instances with the same `applicationId` on one log divide the tasks between them through the
 * consumer group, and take over each other's tasks when one closes or stops heartbeating.
 */
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import type { LogClient } from '../clients/log-client.ts';
import type { PhysicalTopology } from '../topology/physical-topology.ts';
import type { TimerHandle } from '../time/clock.ts';
import { StreamsError } from '../errors/streams-errors.ts';
import { IllegalStateError } from '../errors/log-errors.ts';
import { checkLogBackend, openLogClient } from './log-client-factory.ts';
import { resolveStreamsConfig, type ResolvedStreamsConfig, type StreamsConfig } from './streams-config.ts';
import type { StreamsMetricsSnapshot } from './streams-metrics.ts';
import { StreamsStateMachine, type StateListener, type StreamsState } from './streams-state.ts';
import { StreamThread } from './stream-thread.ts';
import type { CommitStepEvent } from './task-manager.ts';
import type { RestoreProgress } from './store-changelog-reader.ts';
import type { GlobalStoreDef, GlobalStoresCarrier } from './global-stream-thread.ts';
import { InteractiveQueries, type KeySelector, type QueryableStoreType, type QueryableViews, type StoreUpdate } from './interactive-queries.ts';

/** Events of {@link TributaryStreams.on}. */
export interface StreamsEvents {
  /** After every state change. */
  stateChange: (newState: StreamsState, oldState: StreamsState) => void;
  /** A fatal error moved the application to ERROR. */
  error: (error: StreamsError) => void;
  /** After each numbered step of a commit. */
  commitStep: (event: CommitStepEvent) => void;
  /** Restore progress of a store of a task: at the start, after each changelog batch, and once `done`. */
  restore: (progress: RestoreProgress) => void;
}

/**
 * A streams application.
 *
 * @example
 * const app = new TributaryStreams(builder.build(), {
 *   applicationId: 'wordcount',
 *   log: { embedded: { dir: './data' } },
 * });
 * app.on('stateChange', (now, before) => console.log(before, '->', now));
 * await app.start();
 * // ...
 * await app.close();
 */
export class TributaryStreams {
  private readonly config: ResolvedStreamsConfig;
  private readonly machine: StreamsStateMachine;
  private readonly stateSubject: BehaviorSubject<StreamsState>;
  private readonly listeners: { [E in keyof StreamsEvents]: StreamsEvents[E][] } = { stateChange: [], error: [], commitStep: [], restore: [] };
  private readonly restoreSubject = new Subject<RestoreProgress>();
  private readonly queries: InteractiveQueries;
  private thread: StreamThread | null = null;
  private client: LogClient | null = null;
  private ownsClient = false;
  private closing: Promise<void> | null = null;
  private failure: Promise<void> | null = null;
  private stateListener: StateListener | null = null;

  /**
   * @throws InvalidConfigError for an invalid config (including `log: { kafka }` without valid brokers)
   */
  constructor(
    private readonly topology: PhysicalTopology,
    config: StreamsConfig,
  ) {
    this.config = resolveStreamsConfig(config);
    checkLogBackend(this.config.log);
    this.machine = new StreamsStateMachine(this.config.applicationId);
    this.stateSubject = new BehaviorSubject<StreamsState>('CREATED');
    this.machine.onChange((to, from) => {
      this.stateListener?.(to, from);
      for (const l of this.listeners.stateChange.slice()) l(to, from);
      this.stateSubject.next(to);
      if (to === 'NOT_RUNNING') {
        this.stateSubject.complete();
        this.restoreSubject.complete();
      }
    });
    this.queries = new InteractiveQueries({
      applicationId: this.config.applicationId,
      hasStore: (name) => this.topology.storeBuilders.has(name) || this.globalDefs().some((d) => d.builder.name === name),
      globalStore: (name) => this.thread?.global?.store(name),
      isTimestamped: (name) =>
        ((this.topology.storeBuilders.get(name) ?? this.globalDefs().find((d) => d.builder.name === name)?.builder) as { timestamped?: unknown } | undefined)
          ?.timestamped === true,
      activeTasks: () => this.thread?.activeTasks() ?? [],
      isQueryable: () => this.machine.isRunningOrRebalancing(),
    });
  }

  private globalDefs(): readonly GlobalStoreDef[] {
    return (this.topology as GlobalStoresCarrier).globalStores ?? [];
  }

  /** Restore progress of every store of every task (the `restore` events as an Observable); completes at NOT_RUNNING. */
  get restore$(): Observable<RestoreProgress> {
    return this.restoreSubject.asObservable();
  }

  /**
   * A read-only view of a state store over the tasks of this instance (local interactive queries):
   * `get`, `range`, `all`, `approximateNumEntries` (key-value), `fetch`, `fetchRange`, `fetchAll`
   * (window), `fetch`, `findSessions` (session), and `watch(selector?)` for live updates. Each call
   * throws `InvalidStateStoreError` while a task holding the store restores, or once the store moved
   * to another instance.
   *
   * @throws InvalidStateStoreError for a store the topology does not have
   * @example
   * const counts = app.store<string, number>('counts', 'keyValue');
   * counts.get('kafka'); // 3
   */
  store<K, V, T extends QueryableStoreType = 'keyValue'>(name: string, type?: T): QueryableViews<K, V>[T] {
    return this.queries.store<K, V, T>(name, type ?? ('keyValue' as T));
  }

  /**
   * Live updates of a store: every write to it on this instance, or to one key (`{ key }`) or an
   * inclusive key range (`{ from, to }`). Nothing runs per record for stores nobody watches.
   *
   * @throws InvalidStateStoreError for a store the topology does not have
   * @example
   * app.storeUpdates$<string, number>('counts', { key: 'kafka' }).subscribe((u) => console.log(u.value));
   */
  storeUpdates$<K, V>(name: string, selector?: KeySelector<K>): Observable<StoreUpdate<K, V>> {
    return this.queries.updates<K, V>(name, selector);
  }

  /** The application id. */
  get applicationId(): string {
    return this.config.applicationId;
  }

  /** The current state. */
  get state(): StreamsState {
    return this.machine.state;
  }

  /** The state as an Observable: the current state at once, then every change; completes at NOT_RUNNING. */
  get state$(): Observable<StreamsState> {
    return this.stateSubject.asObservable();
  }

  /**
   * Snapshots of the application's metrics every `metricsIntervalMs` (on the configured clock), while
   * subscribed.
   */
  get metrics$(): Observable<StreamsMetricsSnapshot> {
    return new Observable<StreamsMetricsSnapshot>((subscriber) => {
      const clock = this.config.clock;
      let previous: StreamsMetricsSnapshot | null = null;
      let handle: TimerHandle;
      const tick = (): void => {
        const snap = this.metricsSnapshot(previous);
        previous = snap;
        subscriber.next(snap);
        handle = clock.setTimeout(tick, this.config.metricsIntervalMs);
      };
      handle = clock.setTimeout(tick, this.config.metricsIntervalMs);
      return () => clock.clearTimeout(handle);
    });
  }

  /** A snapshot of the metrics now (rate since `previous`, or since start). */
  metricsSnapshot(previous: StreamsMetricsSnapshot | null = null): StreamsMetricsSnapshot {
    const now = this.config.clock.now();
    const thread = this.thread;
    if (thread === null) {
      return { timestamp: now, recordsProcessed: 0, recordsPerSec: 0, commitCount: 0, commitLatencyAvgMs: 0, commitLatencyMaxMs: 0, tasks: [] };
    }
    return thread.metrics.snapshot(now, thread.taskMetrics(), previous);
  }

  /** Adds an event listener; returns a function that removes it. */
  on<E extends keyof StreamsEvents>(event: E, listener: StreamsEvents[E]): () => void {
    const list = this.listeners[event] as StreamsEvents[E][];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Kafka Streams' single state listener (replaces the previous one). */
  setStateListener(listener: StateListener | null): void {
    this.stateListener = listener;
  }

  /** Ids of the tasks this instance runs now (`0_1`, ...). */
  tasks(): string[] {
    return this.thread?.taskIds() ?? [];
  }

  /**
   * Opens the log, creates internal topics, checks co-partitioning, joins the group and starts
   * processing; resolves once the first assignment is running (state RUNNING).
   *
   * @throws IllegalStateError unless CREATED; TopologyError for missing source topics or a
   *   co-partitioning mismatch (the application then moves to ERROR)
   */
  async start(): Promise<void> {
    if (this.machine.state !== 'CREATED') {
      throw new IllegalStateError(`Application "${this.applicationId}" cannot start in state ${this.machine.state}`);
    }
    this.machine.transition('REBALANCING');
    try {
      const opened = await openLogClient(this.config.log, this.config.clock, this.config.logger);
      this.client = opened.client;
      this.ownsClient = opened.owned;
      this.thread = new StreamThread(this.topology, this.config, opened.client, {
        onRebalanceStarted: () => {
          if (this.machine.state === 'RUNNING') this.machine.transition('REBALANCING');
        },
        onTasksAssigned: () => {
          if (this.machine.state === 'REBALANCING') this.machine.transition('RUNNING');
        },
        onFatalError: (error) => void this.fail(error),
        onCommitStep: (event) => {
          for (const l of this.listeners.commitStep.slice()) l(event);
        },
        onRestore: (progress) => {
          for (const l of this.listeners.restore.slice()) l(progress);
          this.restoreSubject.next(progress);
        },
        onTasksCreated: () => this.queries.attach(),
      });
      await this.thread.start();
    } catch (error) {
      await this.fail(error);
      throw error;
    }
  }

  /** Commits every task now (as the commit interval would). */
  async commit(): Promise<void> {
    if (this.thread === null || !this.machine.isRunningOrRebalancing()) {
      throw new IllegalStateError(`Application "${this.applicationId}" is not running (state ${this.machine.state})`);
    }
    await this.thread.commitNow();
  }

  /**
   * Stops processing, commits, closes the tasks, leaves the group and (for an embedded log it opened)
   * closes the log. State PENDING_SHUTDOWN, then NOT_RUNNING. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.failure !== null) await this.failure;
    const failed = this.machine.state === 'ERROR';
    this.machine.transition('PENDING_SHUTDOWN');
    let error: unknown = null;
    try {
      if (!failed) await this.thread?.shutdown();
    } catch (e) {
      error = e;
      await this.thread?.abort();
    }
    if (this.ownsClient) await this.client?.close().catch((e: unknown) => (error ??= e));
    this.machine.transition('NOT_RUNNING');
    if (error !== null) throw error;
  }

  private fail(error: unknown): Promise<void> {
    if (this.failure !== null) return this.failure;
    if (!this.machine.canTransition('PENDING_ERROR')) return Promise.resolve();
    const wrapped = error instanceof StreamsError ? error : new StreamsError(`Application "${this.applicationId}" failed: ${messageOf(error)}`, { cause: error });
    this.machine.transition('PENDING_ERROR');
    this.failure = (async () => {
      await this.thread?.abort();
      if (this.ownsClient) await this.client?.close().catch(() => undefined);
      this.ownsClient = false;
      this.machine.transition('ERROR');
      if (this.listeners.error.length === 0) this.config.logger.error(wrapped.message, { error: wrapped.cause ?? wrapped });
      for (const l of this.listeners.error.slice()) l(wrapped);
    })();
    return this.failure;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
