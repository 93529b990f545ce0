/**
 * The base of the window bytes layers: delegates everything to the store below.
 */
import type { StateStore, StateStoreContext } from '../../core/processor/state-store.ts';
import type { WindowBytesEntry, WindowBytesStore } from '../window-bytes-store.ts';

export abstract class WrappedWindowBytesStore implements WindowBytesStore {
  constructor(readonly inner: WindowBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }
  get segmentIntervalMs(): number {
    return this.inner.segmentIntervalMs;
  }
  init(context: StateStoreContext, root: StateStore): void {
    this.inner.init(context, root);
  }
  put(key: Buffer, value: Buffer | null, windowStart: number, timestamp?: number): void {
    this.inner.put(key, value, windowStart, timestamp);
  }
  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    return this.inner.fetch(key, windowStart);
  }
  fetchRange(key: Buffer, timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowBytesEntry> {
    return this.inner.fetchRange(key, timeFrom, timeTo, backward);
  }
  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowBytesEntry> {
    return this.inner.fetchKeyRange(keyFrom, keyTo, timeFrom, timeTo, backward);
  }
  fetchAll(timeFrom: number, timeTo: number, backward?: boolean): Iterable<WindowBytesEntry> {
    return this.inner.fetchAll(timeFrom, timeTo, backward);
  }
  all(backward?: boolean): Iterable<WindowBytesEntry> {
    return this.inner.all(backward);
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
