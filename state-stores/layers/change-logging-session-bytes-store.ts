/**
 * The change-logging layer of session stores: every write also goes to the changelog keyed by the
 * session store key bytes `[key][end 8][start 8]`; removals log tombstones. The record timestamp is the
 * write's timestamp, or the session end when none is given.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import { toSessionStoreKey } from '../session-key-schema.ts';
import { WrappedSessionBytesStore } from './wrapped-session-bytes-store.ts';

export class ChangeLoggingSessionBytesStore extends WrappedSessionBytesStore {
  private context: StateStoreContext | null = null;

  override init(context: StateStoreContext, root: StateStore): void {
    this.context = context;
    super.init(context, root);
  }

  override put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): void {
    this.inner.put(key, start, end, value, timestamp);
    this.context!.logChange(this.name, toSessionStoreKey(key, start, end), value, timestamp ?? end);
  }
}
