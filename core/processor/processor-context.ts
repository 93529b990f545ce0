/**
 * What a processor can do besides receiving records: forward, schedule punctuations, read record
 * metadata, request a commit, and reach the state stores it is connected to.
 */
import type { Record } from './record.ts';
import type { FixedKeyRecord } from './processor.ts';
import type { StateStore } from './state-store.ts';
import type { Duration } from '../time/duration.ts';

/** Identifies a task: the sub-topology and the partition number it processes. Printed as `0_3`. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

/** Where the record being processed came from (absent for records made by a punctuator). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Stream time advances with the records processed; wall-clock time with the (injected) clock. */
export type PunctuationType = 'stream-time' | 'wall-clock';

/** Called with the punctuation's timestamp (stream time or wall-clock time). */
export type Punctuator = (timestamp: number) => void;

/** Handle of a scheduled punctuation. */
export interface Cancellable {
  cancel(): void;
}

/** Members shared by both context kinds. */
export interface ProcessingContextBase {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** Metadata of the input record being processed, or null inside a punctuation. */
  recordMetadata(): RecordMetadata | null;
  /** The task's stream time: the largest timestamp it has processed (-1 before the first record). */
  currentStreamTimeMs(): number;
  /** The wall-clock time of the injected clock. */
  currentSystemTimeMs(): number;
  /**
   * Schedules `punctuator` every `interval` of stream time or wall-clock time.
   * Stream-time punctuations fire when a record moves stream time past the next due time.
   */
  schedule(interval: Duration, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** Asks the runtime to commit as soon as possible (after the current record). */
  commit(): void;
  /**
   * A state store connected to this processor.
   * @throws TopologyError when the store is not connected to the processor.
   */
  getStateStore<S extends StateStore>(name: string): S;
}

/**
 * The context of a {@link Processor}: forwards records of type `Record<KForward, VForward>` to all
 * children, or to one child by name.
 */
export interface ProcessorContext<KForward = unknown, VForward = unknown> extends ProcessingContextBase {
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void;
}

/** The context of a fixed-key processor: forwards only records with the key it received. */
export interface FixedKeyProcessorContext<K = unknown, VForward = unknown> extends ProcessingContextBase {
  forward<V extends VForward>(record: FixedKeyRecord<K, V>, childName?: string): void;
}
