/**
 * Errors of the streams layer: topology building, serdes, task ownership and the streams runtime.
 * Engineers append classes here; each names the entity involved (topic, partition, offset, task, node).
 */
import { TributaryError, type TributaryErrorOptions } from './tributary-error.ts';

/**
 * The topology is invalid (unknown parent, cycle, duplicate name, a sink without parent, co-partitioned
 * source topics with different partition counts, ...). Fix the topology; retrying does not help.
 *
 * @example
 * throw new TopologyError('Processor "p" has unknown parent "nope"');
 */
export class TopologyError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('TOPOLOGY', message, options);
  }
}

/** What a serde was doing when it failed: the parts of a {@link SerdeError}'s message. */
export interface SerdeFailure {
  /** `serialize` or `deserialize`. */
  readonly operation: 'serialize' | 'deserialize';
  /** The serde's name (`json`, `int32`, `avro(Order)`, ...). */
  readonly serde: string;
  /** Why: the underlying parser's message, or what was wrong with the bytes or value. */
  readonly reason: string;
  /** Whether the key or the value failed; `null` when the serde does not know (the runtime fills it in). */
  readonly role?: 'key' | 'value' | null;
}

/** Where the failing bytes were: the topic, and when they were read from the log, partition and offset. */
export interface SerdeErrorLocation {
  readonly topic?: string | null;
  readonly partition?: number;
  readonly offset?: number;
}

function formatLocation(topic: string | null, partition: number, offset: number): string {
  if (topic === null) return 'an unknown topic';
  if (partition < 0) return topic;
  return offset < 0 ? `${topic}-${partition}` : `${topic}-${partition}@${offset}`;
}

/**
 * A key or value could not be serialized or deserialized. A serde only knows the topic, so it throws
 * with the topic alone; the runtime's source node adds partition and offset with
 * {@link withRecordLocation}, which gives messages like
 * `Cannot deserialize value of orders-3@42 with json: Unexpected token 'x'...`.
 *
 * The constructor also takes a plain message (kept for callers that describe the failure themselves):
 * the location is then appended in parentheses.
 *
 * @example
 * throw new SerdeError({ operation: 'deserialize', serde: 'json', reason: 'Unexpected token' }, { topic: 'orders' });
 * // Cannot deserialize data of orders with json: Unexpected token
 */
export class SerdeError extends TributaryError {
  readonly topic: string | null;
  /** -1 when unknown. */
  readonly partition: number;
  /** -1 when unknown. */
  readonly offset: number;
  /** The structured failure, or null when the error was made from a plain message. */
  readonly failure: SerdeFailure | null;
  constructor(message: string | SerdeFailure, where: SerdeErrorLocation = {}, options?: TributaryErrorOptions) {
    const topic = where.topic ?? null;
    const partition = where.partition ?? -1;
    const offset = where.offset ?? -1;
    let text: string;
    if (typeof message === 'string') {
      text = topic === null ? message : `${message} (${formatLocation(topic, partition, offset)})`;
    } else {
      const role = message.role ?? 'data';
      text = `Cannot ${message.operation} ${role} of ${formatLocation(topic, partition, offset)} with ${message.serde}: ${message.reason}`;
    }
    super('SERDE', text, options);
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.failure = typeof message === 'string' ? null : message;
  }
}

/** Options of {@link withRecordLocation}. */
export interface RecordLocationOptions {
  /** Whether the key or the value failed (default: what the error says, else `value`). */
  readonly role?: 'key' | 'value';
  /** The serde's name, used when `error` is not a SerdeError (a user serde threw something else). */
  readonly serde?: string;
}

/**
 * The same failure, located at `topic-partition@offset`: the runtime's source node calls this when a
 * deserializer throws, so the message names where the bad bytes are. A non-SerdeError (a user serde
 * that threw a plain Error) becomes a SerdeError with the original as `cause`.
 *
 * @param error what the deserializer threw
 * @returns a SerdeError whose message and fields carry topic, partition and offset
 * @example
 * try { value = valueSerde.deserialize(topic, bytes); }
 * catch (e) { throw withRecordLocation(e, topic, partition, offset, { role: 'value' }); }
 */
export function withRecordLocation(
  error: unknown,
  topic: string,
  partition: number,
  offset: number,
  options: RecordLocationOptions = {},
): SerdeError {
  const where = { topic, partition, offset };
  if (error instanceof SerdeError) {
    const cause = error.cause;
    const causeOption = cause === undefined ? {} : { cause };
    if (error.failure === null) {
      const base = error.topic === null ? error.message : error.message.slice(0, error.message.lastIndexOf(' ('));
      return new SerdeError(base, where, causeOption);
    }
    const role = options.role ?? error.failure.role ?? 'value';
    return new SerdeError({ ...error.failure, role }, where, causeOption);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SerdeError(
    { operation: 'deserialize', serde: options.serde ?? 'a custom serde', reason, role: options.role ?? 'value' },
    where,
    { cause: error },
  );
}

/**
 * The task is no longer owned by this instance (the group moved it during a rebalance): drop its
 * uncommitted work and rejoin.
 */
export class TaskMigratedError extends TributaryError {
  readonly taskId: string;
  constructor(taskId: string, reason: string, options?: TributaryErrorOptions) {
    super('TASK_MIGRATED', `Task ${taskId} migrated: ${reason}`, { ...options, retriable: true });
    this.taskId = taskId;
  }
}

/**
 * The streams application failed (a handler said 'fail', a processor threw, the log client crashed) or
 * was used in a state that does not allow the call. The underlying error is the `cause`.
 *
 * @example
 * app.on('error', (e: StreamsError) => console.error(e.message, e.cause));
 */
export class StreamsError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('STREAMS', message, options);
  }
}

/**
 * A source fed from an Observable received more values than its bound allows: the overflow policy is
 * `error`, or the policy is `block` and the upstream kept emitting after it was paused. Use a pausable
 * source, a larger bound, or the `dropOldest` policy.
 *
 * @example
 * await fromObservable(ticks$, producer, { topic: 'ticks', valueSerde: Serdes.json(), overflow: 'error' }).done;
 */
export class SourceOverflowError extends StreamsError {
  readonly topic: string;
  readonly bound: number;
  constructor(topic: string, bound: number, detail: string) {
    super(`Observable source for topic "${topic}" overflowed its bound of ${bound} unacknowledged messages: ${detail}`);
    this.topic = topic;
    this.bound = bound;
  }
}

/**
 * A state store cannot be used now: it is closed, not yet initialized, restoring, or it moved to
 * another instance with its task. Interactive queries should retry after the rebalance or restore.
 *
 * @example
 * try { view.get('k'); } catch (e) { if (e instanceof InvalidStateStoreError) retryLater(); }
 */
export class InvalidStateStoreError extends StreamsError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
  }
}
