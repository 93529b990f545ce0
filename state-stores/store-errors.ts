/**
 * Errors the stores raise. A closed (or not yet initialized) store is an {@link InvalidStateStoreError}:
 * the store moved away with its task or the task is not running.
 */
import { InvalidStateStoreError } from '../core/errors/streams-errors.ts';

/** The error for an operation on a store that is not open. */
export function storeNotOpen(name: string): InvalidStateStoreError {
  return new InvalidStateStoreError(`State store "${name}" is not open (closed, or not yet initialized)`);
}
