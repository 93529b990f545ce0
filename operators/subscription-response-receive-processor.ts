/**
 * The left side of a foreign-key join, second half (Kafka Streams' `ResponseJoinProcessorSupplier`):
 * joins a response from the right side with the left row's current value, but only when the response
 * answers that value: the hash it carries must equal the hash of the left row's current value (both
 * null for a deleted row). A stale response (the row changed, moved to another foreign key, or was
 * deleted since the subscription was sent) is dropped, so out-of-order responses never produce a stale
 * result.
 *
 * Result: `joiner(left, right)`; without a right value, `joiner(left, null)` for `leftJoin` and a
 * tombstone for `join`; a tombstone for a deleted left row. Its timestamp is the larger of the
 * response's and the left row's.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Change } from './change.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';
import type { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts';
import { valueHash } from './subscription-send-processor.ts';

/** What the response processor needs; serdes are resolved when the topology is written. */
export interface SubscriptionResponseSettings<V, VO, VR> {
  /** The left table's store (its current values). */
  readonly leftStoreName: string;
  readonly joiner: (value: V, foreignValue: VO | null) => VR;
  readonly leftJoin: boolean;
  /** Serializes left values for their hash (as the send processor does). */
  readonly valueSerde: Serde<V>;
  readonly serdeTopic: string;
}

/**
 * Joins current responses; drops stale ones.
 *
 * @example
 * topology.addProcessor('fk-response', subscriptionResponseReceiveProcessor(settings), 'fk-response-source');
 */
export class SubscriptionResponseReceiveProcessor<K, V, VO, VR> implements Processor<K, SubscriptionResponseWrapper<VO>, K, Change<VR>> {
  private context!: ProcessorContext<K, Change<VR>>;
  private left!: TimestampedKeyValueStoreView<K, V>;
  /** Responses dropped because they answered a left value that is no longer current. */
  stale = 0;

  constructor(private readonly settings: SubscriptionResponseSettings<V, VO, VR>) {}

  init(context: ProcessorContext<K, Change<VR>>): void {
    this.context = context;
    this.left = context.getStateStore<TimestampedKeyValueStoreView<K, V>>(this.settings.leftStoreName);
  }

  process(record: Record<K, SubscriptionResponseWrapper<VO>>): void {
    const key = record.key;
    const response = record.value;
    if (key === null || key === undefined || response === null) return;
    const s = this.settings;
    const current = this.left.get(key);
    const expected = response.hash;
    if (current === undefined ? expected !== null : expected === null || !expected.equals(valueHash(s.valueSerde, s.serdeTopic, current.value))) {
      this.stale++;
      return;
    }
    const foreignValue = response.foreignValue;
    const result = current === undefined || (foreignValue === null && !s.leftJoin) ? null : s.joiner(current.value, foreignValue);
    const timestamp = current !== undefined && current.timestamp > record.timestamp ? current.timestamp : record.timestamp;
    this.context.forward(record.withValue(new Change(result, null)).withTimestamp(timestamp));
  }
}

/** A supplier of {@link SubscriptionResponseReceiveProcessor}. */
export function subscriptionResponseReceiveProcessor<K, V, VO, VR>(
  settings: SubscriptionResponseSettings<V, VO, VR>,
): () => SubscriptionResponseReceiveProcessor<K, V, VO, VR> {
  return () => new SubscriptionResponseReceiveProcessor(settings);
}
