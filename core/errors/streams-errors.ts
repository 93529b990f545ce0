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

/**
 * A key or value could not be serialized or deserialized. When the bytes came from a topic, the message
 * names the topic, partition and offset.
 *
 * @example
 * throw new SerdeError('Cannot deserialize value as json', { topic: 'orders', partition: 0, offset: 42 });
 */
export class SerdeError extends TributaryError {
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
  constructor(
    message: string,
    where: { topic?: string | null; partition?: number; offset?: number } = {},
    options?: TributaryErrorOptions,
  ) {
    const topic = where.topic ?? null;
    const partition = where.partition ?? -1;
    const offset = where.offset ?? -1;
    const at =
      topic === null ? '' : partition < 0 ? ` (topic "${topic}")` : offset < 0 ? ` (${topic}-${partition})` : ` (${topic}-${partition} at offset ${offset})`;
    super('SERDE', `${message}${at}`, options);
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
  }
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
