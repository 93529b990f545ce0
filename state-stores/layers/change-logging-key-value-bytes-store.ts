/**
 * The change-logging layer: every write that reaches it is written to the store below and sent to the
 * store's changelog (`context.logChange`, same partition as the task). Deletes log a tombstone.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import { WrappedKeyValueBytesStore } from './wrapped-key-value-bytes-store.ts';

export class ChangeLoggingKeyValueBytesStore extends WrappedKeyValueBytesStore {
  protected context: StateStoreContext | null = null;

  override init(context: StateStoreContext, root: StateStore): void {
    this.context = context;
    super.init(context, root);
  }

  override put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.inner.put(key, value, timestamp);
    this.log(key, value, timestamp);
  }

  override delete(key: Buffer, timestamp?: number): Buffer | undefined {
    const old = this.inner.delete(key, timestamp);
    this.log(key, null, timestamp);
    return old;
  }

  /** Sends one change to the changelog. */
  protected log(key: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    const ctx = this.context!;
    ctx.logChange(this.name, key, value, timestamp ?? ctx.currentSystemTimeMs());
  }
}
