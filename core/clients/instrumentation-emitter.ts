/**
 * Emits kafkajs-shaped instrumentation events (`{ id, type, timestamp, payload }`) to listeners added
 * with `on(eventName, listener)`. A throwing listener is reported to the logger and does not stop others.
 */
import type { Clock } from '../time/clock.ts';
import type { ClientLogger, InstrumentationEvent, RemoveInstrumentationEventListener } from './log-client.ts';

let nextEventId = 0;

/**
 * A small event emitter for client events.
 *
 * @example
 * const emitter = new InstrumentationEmitter(systemClock, logger);
 * const off = emitter.on('consumer.crash', (e) => console.log(e.payload));
 * emitter.emit('consumer.crash', { error });
 * off();
 */
export class InstrumentationEmitter {
  private readonly listeners = new Map<string, Set<(event: InstrumentationEvent<any>) => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: ClientLogger,
  ) {}

  /** Adds a listener; returns a function that removes it. */
  on(eventName: string, listener: (event: InstrumentationEvent<any>) => void): RemoveInstrumentationEventListener {
    let set = this.listeners.get(eventName);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(eventName, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Whether anyone listens to `eventName` (lets hot paths skip building payloads). */
  has(eventName: string): boolean {
    const set = this.listeners.get(eventName);
    return set !== undefined && set.size > 0;
  }

  /** Calls every listener of `eventName` with a new event carrying `payload`. */
  emit<T>(eventName: string, payload: T): void {
    const set = this.listeners.get(eventName);
    if (set === undefined || set.size === 0) return;
    const event: InstrumentationEvent<T> = {
      id: String(nextEventId++),
      type: eventName,
      timestamp: this.clock.now(),
      payload,
    };
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`Listener of ${eventName} threw`, { error });
      }
    }
  }
}
