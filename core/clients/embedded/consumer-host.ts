/**
 * What the consumer loop ({@link ConsumerRunner} and its helpers) needs from the consumer that owns it:
 * the shared parts of the embedded log, the resolved options, the subscription, pause state, pending
 * seeks and the crash path. Keeps the loop independent of the public consumer API.
 */
import type { AutoOffsetReset, TopicPartitionOffsetAndMetadata, TopicPartitions } from '../log-client.ts';
import type { InstrumentationEmitter } from '../instrumentation-emitter.ts';
import type { AppendNotifier } from './append-notifier.ts';
import type { EmbeddedContext } from './embedded-context.ts';

/** Consumer options with defaults applied. */
export interface ResolvedConsumerOptions {
  readonly maxBytesPerPartition: number;
  readonly maxBytes: number;
  readonly minBytes: number;
  readonly maxWaitTimeInMs: number;
  /** read_committed unless `readUncommitted` (kafkajs's default). */
  readonly readCommitted: boolean;
  readonly onPartitionsAssigned?: (assignment: TopicPartitions[]) => void | Promise<void>;
  readonly onPartitionsRevoked?: (assignment: TopicPartitions[]) => void | Promise<void>;
}

/** The consumer as its loop sees it. */
export interface ConsumerHost {
  readonly groupId: string;
  readonly ctx: EmbeddedContext;
  readonly notifier: AppendNotifier;
  readonly emitter: InstrumentationEmitter;
  readonly options: ResolvedConsumerOptions;
  /** The subscribed topic names (patterns resolved against existing topics). */
  subscribedTopics(): Promise<string[]>;
  /** Where a partition of `topic` without a usable committed offset starts. */
  resetPolicy(topic: string): AutoOffsetReset;
  isPaused(topic: string, partition: number): boolean;
  pausePartition(topic: string, partition: number): void;
  resumePartition(topic: string, partition: number): void;
  /** A seek requested before the partition was assigned (removed when taken), or undefined. */
  takeSeek(topic: string, partition: number): number | undefined;
  /** Explicit commit (consumer.commitOffsets semantics). */
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  /** The loop failed: report, clean up. */
  crash(error: unknown): Promise<void>;
}
