/**
 * The store of a GlobalKTable: a timestamped key-value store without changelog (its source topic is the
 * changelog). The global stream thread restores it from the source topic's raw records, which carry the
 * plain value and the record timestamp; this builder puts the timestamp back in front of the value on
 * the way in (what the change-logging layer does for a logged timestamped store, Kafka Streams'
 * `RecordConverters.rawValueToTimestampedValue`), so the inner store receives what it stores.
 */
import type { RestoreCallback, RestoreRecord, StateStore, StateStoreContext, StoreBuilder } from '../core/processor/state-store.ts';
import { toTimestampedRawValue } from '../state-stores/value-and-timestamp.ts';

function toTimestampedRecord(r: RestoreRecord): RestoreRecord {
  if (r.value === null) return r;
  return { key: r.key, value: toTimestampedRawValue(r.value, r.timestamp), timestamp: r.timestamp };
}

/** A context whose `register` converts restored source records to the timestamped format. */
function convertingContext(context: StateStoreContext): StateStoreContext {
  const wrapped = Object.create(context) as StateStoreContext & { register: StateStoreContext['register'] };
  wrapped.register = (store: StateStore, restore: RestoreCallback): void => context.register(store, (records) => restore(records.map(toTimestampedRecord)));
  return wrapped;
}

/**
 * Wraps the builder of a timestamped key-value store (built with logging off) for a global table.
 *
 * @example
 * const builder = new GlobalTableStoreBuilder(Stores.timestampedKeyValueStoreBuilder({ name: 'users', keySerde, valueSerde, logging: false }));
 */
export class GlobalTableStoreBuilder implements StoreBuilder {
  readonly loggingEnabled = false;
  readonly logConfig: Readonly<Record<string, string>> = {};

  constructor(private readonly inner: StoreBuilder) {}

  get name(): string {
    return this.inner.name;
  }

  /** Whether values carry timestamps (interactive queries unwrap them for `keyValue` views). */
  get timestamped(): boolean {
    return (this.inner as { timestamped?: unknown }).timestamped === true;
  }

  build(): StateStore {
    const store = this.inner.build();
    const init = store.init;
    store.init = (context: StateStoreContext, root: StateStore): void => init.call(store, convertingContext(context), root);
    return store;
  }
}
