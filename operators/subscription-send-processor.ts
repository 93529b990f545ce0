/**
 * The left side of a foreign-key join, first half (Kafka Streams' `SubscriptionSendProcessorSupplier`,
 * KIP-213): for each update of a left row it sends subscription records, keyed by foreign key, to the
 * subscription topic, carrying the hash of the row's new value:
 *
 * - a new row subscribes to its foreign key (`PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE` for `join`: no answer
 *   without a right row; `PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE` for `leftJoin`);
 * - a changed row subscribes with `PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE` (a result it had must be
 *   replaced or deleted) and, when its foreign key changed, first unsubscribes from the old one
 *   (`DELETE_KEY_NO_PROPAGATE`: the answer comes from the new foreign key);
 * - a deleted row unsubscribes with `DELETE_KEY_AND_PROPAGATE` (the answer deletes the result).
 *
 * Null foreign keys (the extractor returns null or undefined) never reach the subscription topic: the
 * row has no partner, so the result is computed here and forwarded to the result node directly
 * (`leftJoin`: `joiner(left, null)`; `join`: a tombstone when the row had a value before). The row
 * unsubscribes from its previous foreign key, if any. Null primary keys are skipped.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Change } from './change.ts';
import { murmur3Hash128 } from './murmur3.ts';
import { SubscriptionInstruction, SubscriptionWrapper } from './subscription-wrapper.ts';

const EMPTY = Buffer.alloc(0);

/** What the send processor needs; serdes are resolved when the topology is written. */
export interface SubscriptionSendSettings<V, KO, VO, VR> {
  readonly foreignKeyExtractor: (value: V) => KO | null | undefined;
  readonly joiner: (value: V, foreignValue: VO | null) => VR;
  readonly leftJoin: boolean;
  /** Serializes left values for their hash. */
  readonly valueSerde: Serde<V>;
  /** Compares foreign keys that are objects by their bytes. */
  readonly foreignKeySerde: Serde<KO>;
  /** The topic name given to the serdes while hashing. */
  readonly serdeTopic: string;
  /** The child that writes the subscription topic. */
  readonly subscriptionSink: string;
  /** The child that is the join's result node. */
  readonly resultNode: string;
}

/**
 * The hash of a left value as the foreign-key join compares it.
 *
 * @example
 * const hash = valueHash(Serdes.string(), 'orders', 'value');
 */
export function valueHash<V>(serde: Serde<V>, topic: string, value: V): Buffer {
  return murmur3Hash128(serde.serialize(topic, value) ?? EMPTY);
}

/**
 * Sends subscriptions for left-table updates.
 *
 * @example
 * topology.addProcessor('fk-send', subscriptionSendProcessor(settings), 'orders-table');
 */
export class SubscriptionSendProcessor<K, V, KO, VO, VR> implements Processor<K, Change<V>, unknown, unknown> {
  private context!: ProcessorContext<unknown, unknown>;
  private partition = 0;

  constructor(private readonly settings: SubscriptionSendSettings<V, KO, VO, VR>) {}

  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = context;
    this.partition = context.taskId.partition;
  }

  process(record: Record<K, Change<V>>): void {
    const key = record.key;
    if (key === null || key === undefined) return;
    const s = this.settings;
    const newValue = record.value.newValue;
    const oldValue = record.value.oldValue;
    const newFk = newValue === null ? null : (s.foreignKeyExtractor(newValue) ?? null);
    const oldFk = oldValue === null ? null : (s.foreignKeyExtractor(oldValue) ?? null);
    const hash = newValue === null ? null : valueHash(s.valueSerde, s.serdeTopic, newValue);
    if (oldFk !== null && (newFk === null || !this.sameForeignKey(oldFk, newFk))) {
      const instruction = newValue === null ? SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE : SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE;
      this.subscribe(record, oldFk, hash, instruction);
    }
    if (newFk !== null) {
      const instruction =
        oldValue !== null || s.leftJoin ? SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE : SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE;
      this.subscribe(record, newFk, hash, instruction);
    } else if (newValue !== null) {
      // No foreign key: no partner. leftJoin has a result without one; join deletes a result it may have had.
      if (s.leftJoin) this.result(record, s.joiner(newValue, null));
      else if (oldValue !== null) this.result(record, null);
    } else if (oldValue !== null && oldFk === null && s.leftJoin) {
      this.result(record, null); // a deleted row that had no foreign key: its left-join result goes
    }
  }

  private subscribe(record: Record<K, Change<V>>, fk: KO, hash: Buffer | null, instruction: SubscriptionInstruction): void {
    const wrapper = new SubscriptionWrapper(hash, instruction, record.key, this.partition);
    this.context.forward(record.withKey(fk).withValue(wrapper), this.settings.subscriptionSink);
  }

  private result(record: Record<K, Change<V>>, value: VR | null): void {
    this.context.forward(record.withValue(new Change(value, null)), this.settings.resultNode);
  }

  private sameForeignKey(a: KO, b: KO): boolean {
    if (a === b) return true;
    if (typeof a !== 'object' && typeof b !== 'object') return false;
    const topic = this.settings.serdeTopic;
    const serde = this.settings.foreignKeySerde;
    return (serde.serialize(topic, a) ?? EMPTY).equals(serde.serialize(topic, b) ?? EMPTY);
  }
}

/** A supplier of {@link SubscriptionSendProcessor}. */
export function subscriptionSendProcessor<K, V, KO, VO, VR>(
  settings: SubscriptionSendSettings<V, KO, VO, VR>,
): () => SubscriptionSendProcessor<K, V, KO, VO, VR> {
  return () => new SubscriptionSendProcessor(settings);
}
