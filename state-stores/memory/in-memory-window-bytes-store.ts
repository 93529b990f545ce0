/**
 * The in-memory window store: segments are sorted maps; nothing survives a restart (restored from the
 * changelog when the task starts).
 */
import { InMemorySegments } from '../segmented/in-memory-segments.ts';
import { SegmentedWindowBytesStore, type WindowBytesStoreOptions } from '../segmented/segmented-window-bytes-store.ts';

export class InMemoryWindowBytesStore extends SegmentedWindowBytesStore {
  constructor(name: string, options: WindowBytesStoreOptions) {
    super(name, new InMemorySegments(), options);
  }
}
