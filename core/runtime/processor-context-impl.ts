/**
 * The one {@link ProcessorContext} of a task, shared by all its processors (as Kafka Streams'
 * `ProcessorContextImpl`): the task sets `currentNode` before calling a node, so `forward` reaches that
 * node's children, and sets the input record's topic/partition/offset before each record. No object is
 * allocated per record: record metadata is materialized only when a processor asks for it.
 *
 * When a node throws, `currentNode` is left pointing at it (no try/finally per forward), so the task can
 * name the failing node to the processing error handler; the task resets the context afterwards.
 */
import type {
  Cancellable,
  FixedKeyProcessorContext,
  ProcessorContext,
  PunctuationType,
  Punctuator,
  RecordMetadata,
  TaskId,
} from '../processor/processor-context.ts';
import type { Record } from '../processor/record.ts';
import type { StateStore } from '../processor/state-store.ts';
import type { Clock } from '../time/clock.ts';
import { toMillis, type Duration } from '../time/duration.ts';
import { TopologyError } from '../errors/streams-errors.ts';
import { InvalidArgumentError } from '../errors/log-errors.ts';
import type { RuntimeNode } from './runtime-node.ts';

/** What the context needs from its task. */
export interface TaskServices {
  /** The task's stream time (-1 before the first record). */
  readonly streamTime: number;
  schedule(node: RuntimeNode, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  requestCommit(): void;
  /** The task's instance of a store, or undefined. */
  store(name: string): StateStore | undefined;
  /** The stores a node is connected to (empty for sources and sinks). */
  storesOf(node: RuntimeNode): readonly string[];
  /** A global store of the application (readable by every processor without a connection), or undefined. */
  globalStore?(name: string): StateStore | undefined;
}

/**
 * The processor context of one task.
 *
 * @example
 * // inside a processor
 * init(ctx) { ctx.schedule('1s', 'wall-clock', (now) => ctx.forward(new Record('tick', now, now))); }
 */
export class ProcessorContextImpl implements ProcessorContext<unknown, unknown>, FixedKeyProcessorContext<unknown, unknown> {
  /** The node being executed; `forward` goes to its children. */
  currentNode: RuntimeNode | null = null;
  /** Input topic of the record being processed, or null (punctuation). */
  topic: string | null = null;
  partition = -1;
  offset = -1;
  private task: TaskServices | null = null;

  constructor(
    readonly applicationId: string,
    readonly taskId: TaskId,
    private readonly clock: Clock,
  ) {}

  /** Connects the context to its task (once, while the task is built). */
  attach(task: TaskServices): void {
    this.task = task;
  }

  /** Sets the input record's origin (before processing it). */
  setRecordContext(topic: string | null, partition: number, offset: number): void {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
  }

  forward(record: Record<any, any>, childName?: string): void {
    const node = this.currentNode;
    if (node === null) throw new TopologyError(`Task ${taskName(this.taskId)}: forward() called outside of a processor`);
    const children = node.children;
    if (childName === undefined) {
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!;
        this.currentNode = child;
        child.process(record);
      }
      this.currentNode = node;
      return;
    }
    const child = node.child(childName);
    if (child === undefined) {
      throw new TopologyError(`Node "${node.name}" has no child named "${childName}" (children: ${children.map((c) => c.name).join(', ') || 'none'})`);
    }
    this.currentNode = child;
    child.process(record);
    this.currentNode = node;
  }

  recordMetadata(): RecordMetadata | null {
    if (this.topic === null) return null;
    return { topic: this.topic, partition: this.partition, offset: this.offset };
  }

  currentStreamTimeMs(): number {
    return this.services().streamTime;
  }

  currentSystemTimeMs(): number {
    return this.clock.now();
  }

  schedule(interval: Duration, type: PunctuationType, punctuator: Punctuator): Cancellable {
    const ms = toMillis(interval, 'punctuation interval');
    if (ms < 1) throw new InvalidArgumentError(`The punctuation interval must be at least 1 ms, got ${ms}`);
    if (type !== 'stream-time' && type !== 'wall-clock') {
      throw new InvalidArgumentError(`Punctuation type must be 'stream-time' or 'wall-clock', got ${String(type)}`);
    }
    if (typeof punctuator !== 'function') throw new InvalidArgumentError('schedule() needs a punctuator function');
    const node = this.currentNode;
    if (node === null) throw new TopologyError(`Task ${taskName(this.taskId)}: schedule() called outside of a processor`);
    return this.services().schedule(node, ms, type, punctuator);
  }

  commit(): void {
    this.services().requestCommit();
  }

  getStateStore<S extends StateStore>(name: string): S {
    const node = this.currentNode;
    const task = this.services();
    if (node !== null && !task.storesOf(node).includes(name)) {
      const global = task.globalStore?.(name);
      if (global !== undefined) return global as S;
    }
    if (node === null || !task.storesOf(node).includes(name)) {
      throw new TopologyError(
        `Processor "${node?.name ?? '?'}" of task ${taskName(this.taskId)} is not connected to store "${name}"; ` +
          'connect it with addStateStore(builder, processorName) or connectProcessorAndStateStores',
      );
    }
    const store = task.store(name);
    if (store === undefined) throw new TopologyError(`Task ${taskName(this.taskId)} has no store "${name}"`);
    return store as S;
  }

  private services(): TaskServices {
    if (this.task === null) throw new TopologyError(`The context of task ${taskName(this.taskId)} is not attached to its task`);
    return this.task;
  }
}

/** `<subtopology>_<partition>`, as Kafka prints a TaskId. */
export function taskName(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}
