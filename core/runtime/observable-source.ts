/**
 * A source from an Observable (or an async iterable) into a topic, with backpressure: values are
 * serialized, buffered, and sent in batches with a LogClient producer, and never more than `maxBuffered`
 * messages are buffered or unacknowledged at once.
 *
 * rxjs is push-based, so how the bound holds depends on the source:
 * - an async iterable (or iterable) is pulled: nothing more is pulled while the bound is reached;
 * - a pausable source (see `pausable`, or any `flowControl` such as a Node Readable) is paused when the
 *   bound is reached and resumed when half of it has been acknowledged (policy `block`);
 * - any other Observable cannot be slowed down, so a full buffer either fails the source (`error`) or
 *   drops the oldest buffered message (`dropOldest`).
 */
import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { Message, Producer } from '../clients/log-client.ts';
import type { Serde } from '../serde/serde.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';
import { SourceOverflowError } from '../errors/streams-errors.ts';
import type { FlowControl } from './pausable-observable.ts';

/** What to do when the bound is reached. See the file comment. */
export type OverflowPolicy = 'block' | 'error' | 'dropOldest';

/** The part of a producer the source needs. */
export type ProducerTarget = Pick<Producer, 'send'>;

/** Options of {@link fromObservable}. */
export interface ObservableSourceOptions<K, V> {
  /** The topic to write to. */
  topic: string;
  /** Serializes each value. */
  valueSerde: Serde<V>;
  /** Serializes keys; required with `keySelector`. */
  keySerde?: Serde<K>;
  /** The key of a value. Without it, messages have a null key. */
  keySelector?: (value: V) => K | null;
  /** The timestamp (ms) of a value. Without it, the producer stamps the send time. */
  timestampSelector?: (value: V) => number;
  /** The most messages buffered plus sent-but-unacknowledged at any time. Default 1000. */
  maxBuffered?: number;
  /** The most messages per `producer.send`. Default min(500, maxBuffered). */
  batchSize?: number;
  /** Concurrent `producer.send` calls. Default 1, which keeps the topic order whatever the producer does. */
  maxInFlightSends?: number;
  /**
   * Default: `block` for iterables, async iterables and pausable sources (or with `flowControl`),
   * `error` for other Observables. `block` on an Observable that cannot be paused is refused.
   */
  overflow?: OverflowPolicy;
  /** Pauses and resumes the upstream for `block`, when the source itself is not pausable (e.g. a Node Readable). */
  flowControl?: FlowControl;
}

/** Counters of an observable source. */
export interface ObservableSourceStats {
  /** Values accepted from upstream (dropped ones included). */
  readonly received: number;
  /** Messages the producer acknowledged. */
  readonly acknowledged: number;
  /** Messages dropped by `dropOldest`. */
  readonly dropped: number;
  /** `producer.send` calls made. */
  readonly sends: number;
  /** Messages waiting to be sent. */
  readonly buffered: number;
  /** Messages sent and not yet acknowledged. */
  readonly inFlight: number;
  /** The largest buffered + in-flight count seen: never above `maxBuffered`. */
  readonly maxUnacknowledged: number;
  /** Times the upstream was paused. */
  readonly pauses: number;
}

/** A running observable source. */
export interface ObservableSourceHandle {
  /**
   * Resolves with the final stats once the upstream completed (or `stop` was called) and every
   * accepted message was acknowledged; rejects with the first error (upstream error, serialization,
   * send failure, overflow) after the sends in flight settled.
   */
  readonly done: Promise<ObservableSourceStats>;
  /** Current counters. */
  stats(): ObservableSourceStats;
  /** Stops taking values from upstream, sends what is buffered, and returns `done`. */
  stop(): Promise<ObservableSourceStats>;
}

/**
 * Feeds a topic from an Observable, an async iterable or an iterable, with backpressure (see the file
 * comment for how each kind of source is held back). Values are serialized with the serdes, buffered,
 * and sent in batches: a batch goes out as soon as a send slot is free, so batches grow while the
 * producer is busy. At most `maxBuffered` messages are buffered or unacknowledged at any time.
 *
 * @param source the values: an Observable (pausable or not), an async iterable, or an iterable
 * @param target a producer (connected), or anything with kafkajs's `send`
 * @returns a handle: `done` resolves when everything was acknowledged
 * @throws InvalidArgumentError for bad options (synchronously)
 * @example
 * const handle = fromObservable(pausable(readOrders()), producer, {
 *   topic: 'orders', keySelector: (o) => o.id, keySerde: Serdes.string(), valueSerde: Serdes.json<Order>(),
 * });
 * const stats = await handle.done; // stats.acknowledged === number of orders
 */
export function fromObservable<V, K = null>(
  source: Observable<V> | AsyncIterable<V> | Iterable<V>,
  target: ProducerTarget,
  options: ObservableSourceOptions<K, V>,
): ObservableSourceHandle {
  return new ObservableSource<K, V>(source, target, options);
}

class ObservableSource<K, V> implements ObservableSourceHandle {
  readonly done: Promise<ObservableSourceStats>;
  private resolveDone!: (stats: ObservableSourceStats) => void;
  private rejectDone!: (error: unknown) => void;

  private readonly topic: string;
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly maxInFlightSends: number;
  private readonly overflow: OverflowPolicy;
  private readonly flowControl: FlowControl | undefined;

  private buffer: Message[] = [];
  private head = 0;
  private inFlight = 0;
  private inFlightSends = 0;
  private received = 0;
  private acknowledged = 0;
  private dropped = 0;
  private sends = 0;
  private maxUnacknowledged = 0;
  private pauses = 0;
  private paused = false;

  private upstreamDone = false;
  private settled = false;
  private failure: { error: unknown } | null = null;
  private subscription: Subscription | null = null;
  private iterator: AsyncIterator<V> | null = null;
  private roomWaiter: (() => void) | null = null;

  constructor(
    source: Observable<V> | AsyncIterable<V> | Iterable<V>,
    private readonly target: ProducerTarget,
    private readonly options: ObservableSourceOptions<K, V>,
  ) {
    const { topic, valueSerde, keySelector, keySerde } = options;
    if (typeof topic !== 'string' || topic.length === 0) throw new InvalidArgumentError('fromObservable needs a topic');
    if (valueSerde === undefined) throw new InvalidArgumentError('fromObservable needs a valueSerde');
    if (keySelector !== undefined && keySerde === undefined) throw new InvalidArgumentError('fromObservable: keySelector needs a keySerde');
    if (target === null || typeof target !== 'object' || typeof target.send !== 'function') {
      throw new InvalidArgumentError('fromObservable needs a producer (anything with send)');
    }
    this.topic = topic;
    this.maxBuffered = positiveInteger('maxBuffered', options.maxBuffered ?? 1000);
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? Math.min(500, this.maxBuffered));
    this.maxInFlightSends = positiveInteger('maxInFlightSends', options.maxInFlightSends ?? 1);
    const observable = isObservable(source);
    this.flowControl = options.flowControl ?? (observable && isFlowControl(source) ? source : undefined);
    const pullable = !observable;
    this.overflow = options.overflow ?? (pullable || this.flowControl !== undefined ? 'block' : 'error');
    if (!['block', 'error', 'dropOldest'].includes(this.overflow)) {
      throw new InvalidArgumentError(`Unknown overflow policy "${String(this.overflow)}"`);
    }
    if (this.overflow === 'block' && observable && this.flowControl === undefined) {
      throw new InvalidArgumentError(
        "overflow 'block' needs a source that can be paused: use pausable(...), pass flowControl, or choose 'error' or 'dropOldest'",
      );
    }
    if (!observable && !isIterable(source)) throw new InvalidArgumentError('fromObservable needs an Observable, an async iterable or an iterable');

    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    if (observable) this.subscribe(source);
    else void this.pull(source);
  }

  stats(): ObservableSourceStats {
    return {
      received: this.received,
      acknowledged: this.acknowledged,
      dropped: this.dropped,
      sends: this.sends,
      buffered: this.buffer.length - this.head,
      inFlight: this.inFlight,
      maxUnacknowledged: this.maxUnacknowledged,
      pauses: this.pauses,
    };
  }

  stop(): Promise<ObservableSourceStats> {
    if (!this.upstreamDone) {
      this.upstreamDone = true;
      this.detach();
      this.trySend();
      this.checkDone();
    }
    return this.done;
  }

  private subscribe(source: Observable<V>): void {
    const subscription = source.subscribe({
      next: (value) => this.accept(value),
      error: (error: unknown) => this.fail(error),
      complete: () => this.complete(),
    });
    if (this.upstreamDone || this.failure !== null) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  private async pull(source: AsyncIterable<V> | Iterable<V>): Promise<void> {
    const iterator: AsyncIterator<V> =
      typeof (source as AsyncIterable<V>)[Symbol.asyncIterator] === 'function'
        ? (source as AsyncIterable<V>)[Symbol.asyncIterator]()
        : toAsyncIterator((source as Iterable<V>)[Symbol.iterator]());
    this.iterator = iterator;
    try {
      while (!this.upstreamDone && this.failure === null) {
        if (this.unacknowledged() >= this.maxBuffered) {
          await new Promise<void>((resolve) => (this.roomWaiter = resolve));
          continue;
        }
        const r = await iterator.next();
        if (this.upstreamDone || this.failure !== null) break;
        if (r.done === true) {
          this.iterator = null;
          this.complete();
          return;
        }
        this.accept(r.value);
      }
    } catch (error) {
      this.iterator = null;
      this.fail(error);
    }
  }

  private accept(value: V): void {
    if (this.failure !== null || this.upstreamDone) return;
    let message: Message;
    try {
      message = this.toMessage(value);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.received++;
    if (this.unacknowledged() >= this.maxBuffered) {
      if (this.overflow === 'dropOldest') {
        this.dropped++;
        if (this.head === this.buffer.length) return;
        this.head++;
        this.compact();
      } else {
        const detail =
          this.overflow === 'error'
            ? "policy 'error' (use a pausable source for 'block', or 'dropOldest')"
            : 'the source kept emitting after it was paused';
        this.fail(new SourceOverflowError(this.topic, this.maxBuffered, detail));
        return;
      }
    }
    this.buffer.push(message);
    const count = this.unacknowledged();
    if (count > this.maxUnacknowledged) this.maxUnacknowledged = count;
    this.trySend();
    if (this.overflow === 'block' && this.flowControl !== undefined && !this.paused && this.unacknowledged() >= this.maxBuffered) {
      this.paused = true;
      this.pauses++;
      this.flowControl.pause();
    }
  }

  private toMessage(value: V): Message {
    const { valueSerde, keySerde, keySelector, timestampSelector } = this.options;
    const message: Message = {
      key: keySelector === undefined ? null : keySerde!.serialize(this.topic, keySelector(value)),
      value: valueSerde.serialize(this.topic, value),
    };
    if (timestampSelector !== undefined) message.timestamp = String(timestampSelector(value));
    return message;
  }

  private complete(): void {
    if (this.upstreamDone) return;
    this.upstreamDone = true;
    this.subscription = null;
    this.trySend();
    this.checkDone();
  }

  /** Sends batches while a send slot is free: a full batch, or whatever is buffered when no send is running or upstream is done. */
  private trySend(): void {
    while (this.failure === null && this.inFlightSends < this.maxInFlightSends) {
      const buffered = this.buffer.length - this.head;
      if (buffered === 0) return;
      if (buffered < this.batchSize && this.inFlightSends > 0 && !this.upstreamDone) return;
      const n = Math.min(buffered, this.batchSize);
      const messages = this.buffer.slice(this.head, this.head + n);
      this.head += n;
      this.compact();
      this.inFlight += n;
      this.inFlightSends++;
      this.sends++;
      let sent: Promise<unknown>;
      try {
        sent = this.target.send({ topic: this.topic, messages });
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        () => this.acked(n),
        (error: unknown) => this.sendFailed(n, error),
      );
    }
  }

  private acked(n: number): void {
    this.inFlight -= n;
    this.inFlightSends--;
    this.acknowledged += n;
    this.trySend();
    const count = this.unacknowledged();
    if (this.paused && count <= this.maxBuffered >> 1) {
      this.paused = false;
      this.flowControl!.resume();
    }
    if (this.roomWaiter !== null && count < this.maxBuffered) {
      const wake = this.roomWaiter;
      this.roomWaiter = null;
      wake();
    }
    this.checkDone();
  }

  private sendFailed(n: number, error: unknown): void {
    this.inFlight -= n;
    this.inFlightSends--;
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.failure === null) {
      this.failure = { error };
      this.detach();
      this.buffer = [];
      this.head = 0;
    }
    this.checkDone();
  }

  /** Stops taking values from upstream. */
  private detach(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    const iterator = this.iterator;
    this.iterator = null;
    if (iterator !== null) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    const wake = this.roomWaiter;
    this.roomWaiter = null;
    wake?.();
  }

  private checkDone(): void {
    if (this.settled || this.inFlightSends > 0) return;
    if (this.failure !== null) {
      this.settled = true;
      this.rejectDone(this.failure.error);
    } else if (this.upstreamDone && this.head === this.buffer.length) {
      this.settled = true;
      this.resolveDone(this.stats());
    }
  }

  /** Drops the consumed prefix of the buffer once it is large. */
  private compact(): void {
    if (this.head === this.buffer.length) {
      this.buffer = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  private unacknowledged(): number {
    return this.buffer.length - this.head + this.inFlight;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`fromObservable: ${name} must be a positive integer, got ${value}`);
  return value;
}

function isFlowControl(value: unknown): value is FlowControl {
  const v = value as Partial<FlowControl>;
  return typeof v.pause === 'function' && typeof v.resume === 'function';
}

function isIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  if (value === null || typeof value !== 'object') return false;
  return typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function toAsyncIterator<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => iterator.next(),
    return: async (value?: unknown) => iterator.return?.(value as T) ?? { done: true, value: undefined as T },
  };
}
