/**
 * What flows between table processors: the new value of a key and the value it replaces (Kafka
 * Streams' `Change<V>`). A null `newValue` is a delete (tombstone); a null `oldValue` means the key had
 * no value before, or that the upstream table does not send old values.
 */

/**
 * One update of a table row.
 *
 * @example
 * new Change(3, 2); // the row went from 2 to 3
 * new Change(null, 3); // the row was deleted
 */
export class Change<V> {
  constructor(
    readonly newValue: V | null,
    readonly oldValue: V | null,
  ) {}
}
