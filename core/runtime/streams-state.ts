/**
 * The lifecycle of a {@link TributaryStreams} application, as Kafka Streams' `KafkaStreams.State`, written
 * as a transition table. An illegal move throws, so a bug in the runtime cannot leave the application in a
 * state that the table does not allow.
 *
 * ```
 * CREATED ──> REBALANCING <──> RUNNING
 *    │             │              │
 *    │             ├── PENDING_ERROR ──> ERROR ──> PENDING_SHUTDOWN
 *    └─────────────┴──────────────┴──> PENDING_SHUTDOWN ──> NOT_RUNNING
 * ```
 */
import { IllegalStateError } from '../errors/log-errors.ts';

/** The states of a streams application. */
export type StreamsState =
  | 'CREATED'
  | 'REBALANCING'
  | 'RUNNING'
  | 'PENDING_SHUTDOWN'
  | 'NOT_RUNNING'
  | 'PENDING_ERROR'
  | 'ERROR';

/** Every legal move, Kafka Streams' table (ERROR may still be closed: it moves to PENDING_SHUTDOWN). */
export const VALID_TRANSITIONS: Readonly<Record<StreamsState, readonly StreamsState[]>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: ['PENDING_SHUTDOWN'],
};

/** Called after every state change with the new and the old state. */
export type StateListener = (newState: StreamsState, oldState: StreamsState) => void;

/**
 * Holds the current state and moves it along {@link VALID_TRANSITIONS}, telling listeners.
 *
 * @example
 * const sm = new StreamsStateMachine('app');
 * sm.onChange((n, o) => console.log(o, '->', n));
 * sm.transition('REBALANCING'); // prints CREATED -> REBALANCING
 * sm.transition('NOT_RUNNING'); // throws IllegalStateError
 */
export class StreamsStateMachine {
  private current: StreamsState = 'CREATED';
  private readonly listeners: StateListener[] = [];

  constructor(private readonly applicationId: string) {}

  /** The current state. */
  get state(): StreamsState {
    return this.current;
  }

  /** Whether `to` is a legal next state. */
  canTransition(to: StreamsState): boolean {
    return VALID_TRANSITIONS[this.current].includes(to);
  }

  /**
   * Moves to `to` and notifies listeners (a listener that throws does not stop the others).
   * @throws IllegalStateError when the table does not allow the move
   */
  transition(to: StreamsState): void {
    const from = this.current;
    if (!VALID_TRANSITIONS[from].includes(to)) {
      throw new IllegalStateError(`Streams application "${this.applicationId}": illegal state transition ${from} -> ${to}`);
    }
    this.current = to;
    for (const listener of this.listeners.slice()) {
      try {
        listener(to, from);
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  /** Moves to `to` if the table allows it; returns whether it moved. */
  tryTransition(to: StreamsState): boolean {
    if (!this.canTransition(to)) return false;
    this.transition(to);
    return true;
  }

  /** Adds a listener; returns a function that removes it. */
  onChange(listener: StateListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Whether the application is running or about to (REBALANCING or RUNNING). */
  isRunningOrRebalancing(): boolean {
    return this.current === 'RUNNING' || this.current === 'REBALANCING';
  }
}
