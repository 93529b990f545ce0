/**
 * The right side of a foreign-key join, subscriptions (Kafka Streams' `SubscriptionReceiveProcessor`
 * and `SubscriptionJoinProcessor` in one): keeps each subscription in the subscription store under its
 * combined key (foreign key + primary key), or removes it, and answers it as its instruction says with
 * the right table's current row, keyed by the primary key, to the response topic. The response's
 * timestamp is the larger of the subscription's and the right row's.
 *
 * Null foreign keys or subscription values are skipped (the send processor never writes them).
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { CombinedKey } from './combined-key.ts';
import type { TimestampedKeyValueStoreView } from './store-views.ts';
import { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts';
import { SubscriptionInstruction, type SubscriptionWrapper } from './subscription-wrapper.ts';

/**
 * Stores and answers subscriptions.
 *
 * @example
 * topology.addProcessor('fk-receive', subscriptionReceiveProcessor('fk-subscription-store', 'customers-store'), 'fk-registration-source');
 */
export class SubscriptionReceiveProcessor<KO, K, VO> implements Processor<KO, SubscriptionWrapper<K>, K, SubscriptionResponseWrapper<VO>> {
  private context!: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
  private subscriptions!: TimestampedKeyValueStoreView<CombinedKey<KO, K>, SubscriptionWrapper<K>>;
  private foreign!: TimestampedKeyValueStoreView<KO, VO>;

  constructor(
    private readonly subscriptionStoreName: string,
    private readonly foreignStoreName: string,
  ) {}

  init(context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>): void {
    this.context = context;
    this.subscriptions = context.getStateStore(this.subscriptionStoreName);
    this.foreign = context.getStateStore(this.foreignStoreName);
  }

  process(record: Record<KO, SubscriptionWrapper<K>>): void {
    const fk = record.key;
    const subscription = record.value;
    if (fk === null || fk === undefined || subscription === null) return;
    const instruction = subscription.instruction;
    const key = new CombinedKey(fk, subscription.primaryKey);
    const deletes =
      instruction === SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE || instruction === SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE;
    this.subscriptions.put(key, deletes ? null : { value: subscription, timestamp: record.timestamp });
    if (instruction === SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE) return;
    if (instruction === SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE) {
      this.respond(record, subscription, null, record.timestamp);
      return;
    }
    const foreign = this.foreign.get(fk);
    if (foreign === undefined) {
      if (instruction === SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE) this.respond(record, subscription, null, record.timestamp);
      return;
    }
    this.respond(record, subscription, foreign.value, foreign.timestamp > record.timestamp ? foreign.timestamp : record.timestamp);
  }

  private respond(record: Record<KO, SubscriptionWrapper<K>>, subscription: SubscriptionWrapper<K>, value: VO | null, timestamp: number): void {
    const response = new SubscriptionResponseWrapper(subscription.hash, value, subscription.primaryPartition);
    this.context.forward(record.withKey(subscription.primaryKey).withValue(response).withTimestamp(timestamp));
  }
}

/** A supplier of {@link SubscriptionReceiveProcessor}. */
export function subscriptionReceiveProcessor<KO, K, VO>(
  subscriptionStoreName: string,
  foreignStoreName: string,
): () => SubscriptionReceiveProcessor<KO, K, VO> {
  return () => new SubscriptionReceiveProcessor(subscriptionStoreName, foreignStoreName);
}
