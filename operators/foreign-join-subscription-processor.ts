/**
 * The right side of a foreign-key join, right-table updates (Kafka Streams'
 * `ForeignJoinSubscriptionProcessorSupplier`): an update of right row `fk` is sent to every left row
 * subscribed to `fk` (one prefix scan of the subscription store), keyed by the left row's primary key,
 * with the right row's new value (null when it was deleted) and the hash of the subscribing left value.
 * The responses carry the update's timestamp.
 *
 * Null keys are skipped, and so are updates that are no row before or after.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import type { Serializer } from '../core/serde/serde.ts';
import type { Change } from './change.ts';
import type { CombinedKey } from './combined-key.ts';
import type { ValueAndTimestamp } from './store-views.ts';
import type { StateStore } from '../core/processor/state-store.ts';
import { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts';
import type { SubscriptionWrapper } from './subscription-wrapper.ts';

/** The part of the subscription store this processor uses. */
interface SubscriptionStoreScan<KO, K> extends StateStore {
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): Iterable<{ key: CombinedKey<KO, K>; value: ValueAndTimestamp<SubscriptionWrapper<K>> }>;
}

/**
 * Answers every subscriber of an updated right row.
 *
 * @example
 * topology.addProcessor('fk-foreign', foreignJoinSubscriptionProcessor('fk-subscription-store', combinedKeySerde.prefixSerializer), 'customers-table');
 */
export class ForeignJoinSubscriptionProcessor<KO, K, VO> implements Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
  private context!: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
  private subscriptions!: SubscriptionStoreScan<KO, K>;

  constructor(
    private readonly subscriptionStoreName: string,
    private readonly prefixSerializer: Serializer<KO>,
  ) {}

  init(context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>): void {
    this.context = context;
    this.subscriptions = context.getStateStore<SubscriptionStoreScan<KO, K>>(this.subscriptionStoreName);
  }

  process(record: Record<KO, Change<VO>>): void {
    const fk = record.key;
    if (fk === null || fk === undefined) return;
    const newValue = record.value.newValue;
    if (newValue === null && record.value.oldValue === null) return;
    for (const entry of this.subscriptions.prefixScan(fk, this.prefixSerializer)) {
      const subscription = entry.value.value;
      const response = new SubscriptionResponseWrapper(subscription.hash, newValue, subscription.primaryPartition);
      this.context.forward(record.withKey(entry.key.primaryKey).withValue(response));
    }
  }
}

/** A supplier of {@link ForeignJoinSubscriptionProcessor}. */
export function foreignJoinSubscriptionProcessor<KO, K, VO>(
  subscriptionStoreName: string,
  prefixSerializer: Serializer<KO>,
): () => ForeignJoinSubscriptionProcessor<KO, K, VO> {
  return () => new ForeignJoinSubscriptionProcessor(subscriptionStoreName, prefixSerializer);
}
