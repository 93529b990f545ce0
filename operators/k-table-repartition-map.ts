/**
 * `KTable.groupBy`: maps each row to a new key and value for re-grouping. An update becomes a
 * subtraction of the old row's mapping (`Change(null, oldMapped)`) at its old group and an addition of
 * the new row's mapping (`Change(newMapped, null)`) at its new group; when both map to the same group
 * they travel as one `Change(newMapped, oldMapped)`, so the aggregate sees one update. Mappings with a
 * null key are dropped.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import type { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { KeyValue } from './k-stream-map.ts';

/**
 * The table re-grouping processor.
 *
 * @example
 * topology.addProcessor('by-region', kTableRepartitionMap((_id, u: User) => [u.region, u]), 'users-table');
 */
export class KTableRepartitionMap<K, V, K2, V2> implements Processor<K, Change<V>, K2, Change<V2>> {
  private context!: ProcessorContext<K2, Change<V2>>;

  constructor(private readonly selector: (key: K, value: V) => KeyValue<K2, V2>) {}

  init(context: ProcessorContext<K2, Change<V2>>): void {
    this.context = context;
  }

  process(record: Record<K, Change<V>>): void {
    const change = record.value;
    const oldPair = change.oldValue === null ? null : this.selector(record.key, change.oldValue);
    const newPair = change.newValue === null ? null : this.selector(record.key, change.newValue);
    const oldValid = oldPair !== null && oldPair[0] !== null && oldPair[0] !== undefined;
    const newValid = newPair !== null && newPair[0] !== null && newPair[0] !== undefined;
    if (oldValid && newValid && sameKey(oldPair[0], newPair[0])) {
      this.context.forward(record.withKey(newPair[0]).withValue(new Change<V2>(newPair[1], oldPair[1])));
      return;
    }
    if (oldValid) this.context.forward(record.withKey(oldPair[0]).withValue(new Change<V2>(null, oldPair[1])));
    if (newValid) this.context.forward(record.withKey(newPair[0]).withValue(new Change<V2>(newPair[1], null)));
  }
}

function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
}

/** A supplier of {@link KTableRepartitionMap}. */
export function kTableRepartitionMap<K, V, K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>): () => KTableRepartitionMap<K, V, K2, V2> {
  return () => new KTableRepartitionMap(selector);
}
