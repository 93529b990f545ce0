/**
 * An Observable over a pull source (an iterable or async iterable) that can be paused: the flow control
 * `fromObservable` uses to apply backpressure with the `block` policy.
 */
import { Observable, type Subscriber } from 'rxjs';

/** Something whose emissions can be paused and resumed (a pausable Observable, a Node Readable, ...). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/**
 * An Observable that emits the values of an iterable or async iterable, and stops pulling while paused:
 * after `pause()` returns, no value is emitted until `resume()` (a value already being awaited from an
 * async iterable is held and emitted first on resume). Each subscription iterates the source anew;
 * pause and resume apply to every subscription. Unsubscribing calls the iterator's `return()`.
 *
 * @example
 * const lines = pausable(readLines(file));          // an async generator
 * await fromObservable(lines, producer, { topic: 'lines', valueSerde: Serdes.string() }).done;
 */
export class PausableObservable<T> extends Observable<T> implements FlowControl {
  private pausedFlag = false;
  private readonly pumps = new Set<() => void>();

  constructor(source: Iterable<T> | AsyncIterable<T>) {
    super((subscriber) => this.run(source, subscriber));
  }

  /** Whether emission is paused. */
  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Stops emitting (synchronously: no value is emitted after this returns, until resume). */
  pause(): void {
    this.pausedFlag = true;
  }

  /** Continues emitting, on a microtask. */
  resume(): void {
    if (!this.pausedFlag) return;
    this.pausedFlag = false;
    queueMicrotask(() => {
      for (const pump of this.pumps) pump();
    });
  }

  private run(source: Iterable<T> | AsyncIterable<T>, subscriber: Subscriber<T>): () => void {
    const isAsync = typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
    const iterator: Iterator<T> | AsyncIterator<T> = isAsync
      ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]();
    let running = false;
    let held: { value: T } | null = null;
    let finished = false;

    const emitHeld = (): void => {
      if (held !== null) {
        const { value } = held;
        held = null;
        subscriber.next(value);
      }
    };

    const pumpSync = (): void => {
      if (running || finished) return;
      running = true;
      try {
        while (!this.pausedFlag && !subscriber.closed) {
          const r = (iterator as Iterator<T>).next();
          if (r.done === true) {
            finished = true;
            subscriber.complete();
            return;
          }
          subscriber.next(r.value);
        }
      } catch (error) {
        finished = true;
        subscriber.error(error);
      } finally {
        running = false;
      }
    };

    const pumpAsync = async (): Promise<void> => {
      if (running || finished || this.pausedFlag) return;
      running = true;
      try {
        emitHeld();
        while (!this.pausedFlag && !subscriber.closed) {
          const r = await (iterator as AsyncIterator<T>).next();
          if (subscriber.closed) return;
          if (r.done === true) {
            finished = true;
            subscriber.complete();
            return;
          }
          if (this.pausedFlag) {
            held = { value: r.value };
            return;
          }
          subscriber.next(r.value);
        }
      } catch (error) {
        finished = true;
        subscriber.error(error);
      } finally {
        running = false;
      }
    };

    const pump = isAsync ? () => void pumpAsync() : pumpSync;
    this.pumps.add(pump);
    pump();
    return () => {
      this.pumps.delete(pump);
      if (!finished) {
        finished = true;
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
      }
    };
  }
}

/**
 * A pausable Observable over an iterable or async iterable (see {@link PausableObservable}).
 *
 * @example
 * fromObservable(pausable(generateEvents()), producer, { topic: 'events', valueSerde: Serdes.json(), overflow: 'block' });
 */
export function pausable<T>(source: Iterable<T> | AsyncIterable<T>): PausableObservable<T> {
  return new PausableObservable(source);
}
