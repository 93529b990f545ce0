/**
 * The base of the window bytes layers: delegates everything to the store below.
 */
import { WrappedStateStore } from './wrapped-state-store.ts';
import type { WindowBytesEntry, WindowBytesStore } from '../window-bytes-store.ts';

export abstract class WrappedWindowBytesStore extends WrappedStateStore<WindowBytesStore> implements WindowBytesStore {
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
}
