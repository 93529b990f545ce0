/**
 * The change-logging layer of window stores: every write also goes to the changelog, keyed by the
 * window store key bytes `[key][windowStart 8][seq 4]` (the sequence number counts in step with the
 * inner store's when duplicates are retained). The record timestamp is the write's timestamp, or the
 * window start when none is given.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import { toWindowStoreKey } from '../window-key-schema.ts';
import { WrappedWindowBytesStore } from './wrapped-window-bytes-store.ts';

export class ChangeLoggingWindowBytesStore extends WrappedWindowBytesStore {
  private context: StateStoreContext | null = null;
  private seq = 0;

  override init(context: StateStoreContext, root: StateStore): void {
    this.context = context;
    super.init(context, root);
  }

  override put(key: Buffer, value: Buffer | null, windowStart: number, timestamp?: number): void {
    this.inner.put(key, value, windowStart, timestamp);
    let seq = 0;
    if (this.retainDuplicates) {
      if (value === null) return;
      this.seq = (this.seq + 1) & 0x7fffffff;
      seq = this.seq;
    }
    this.context!.logChange(this.name, toWindowStoreKey(key, windowStart, seq), value, timestamp ?? windowStart);
  }
}
