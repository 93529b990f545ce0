/**
 * The change-logging layer of timestamped key-value stores, in Kafka Streams' changelog format: the
 * store keeps `[timestamp 8][value]`, the changelog record carries the plain value with the timestamp
 * as the record's timestamp. Restore puts the timestamp back in front of the value, so the inner store
 * receives what it stored. A KTable's source topic therefore has the same format as its changelog.
 */
import type { RestoreCallback, RestoreRecord, StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import { plainRawValue, timestampOfRawValue, toTimestampedRawValue } from '../value-and-timestamp.ts';
import { ChangeLoggingKeyValueBytesStore } from './change-logging-key-value-bytes-store.ts';

export class ChangeLoggingTimestampedKeyValueBytesStore extends ChangeLoggingKeyValueBytesStore {
  override init(context: StateStoreContext, root: StateStore): void {
    // The inner store registers its restore callback through this context: convert on the way in.
    const wrapped = Object.create(context) as StateStoreContext & { register: StateStoreContext['register'] };
    wrapped.register = (store: StateStore, restore: RestoreCallback): void =>
      context.register(store, (records) => restore(records.map(toTimestampedRecord)));
    super.init(wrapped, root);
    this.context = context;
  }

  protected override log(key: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    const ctx = this.context!;
    if (value === null) ctx.logChange(this.name, key, null, timestamp ?? ctx.currentSystemTimeMs());
    else ctx.logChange(this.name, key, plainRawValue(value), timestampOfRawValue(value));
  }
}

function toTimestampedRecord(r: RestoreRecord): RestoreRecord {
  if (r.value === null) return r;
  return { key: r.key, value: toTimestampedRawValue(r.value, r.timestamp), timestamp: r.timestamp };
}
