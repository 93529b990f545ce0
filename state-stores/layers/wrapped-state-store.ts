/**
 * What every bytes layer passes down unchanged: identity, init and the lifecycle (flush, checkpoint,
 * restore offset, wipe, close). Kafka Streams' `WrappedStateStore`; the kind-specific wrappers add the
 * data operations and each layer overrides only what it adds.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';

export abstract class WrappedStateStore<Inner extends StateStore> implements StateStore {
  constructor(readonly inner: Inner) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext, root: StateStore): void {
    this.inner.init(context, root);
  }

  flush(): void {
    this.inner.flush();
  }

  checkpoint(changelogOffset: number): void {
    this.inner.checkpoint?.(changelogOffset);
  }

  restoredOffset(): number | null {
    return this.inner.restoredOffset?.() ?? null;
  }

  wipe(): void {
    this.inner.wipe?.();
  }

  close(): void {
    this.inner.close();
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }
}
