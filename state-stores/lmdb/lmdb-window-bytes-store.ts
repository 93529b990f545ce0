/**
 * The LMDB window store: segments are LMDB databases `<store>.<segmentId>` in the task's environment;
 * data, expired-segment drops, stream time and checkpoint are written in one transaction per checkpoint.
 */
import { LmdbSegments } from '../segmented/lmdb-segments.ts';
import { SegmentedWindowBytesStore, type WindowBytesStoreOptions } from '../segmented/segmented-window-bytes-store.ts';
import type { LmdbStoreOptions } from './lmdb-key-value-bytes-store.ts';

export class LmdbWindowBytesStore extends SegmentedWindowBytesStore {
  constructor(name: string, options: WindowBytesStoreOptions & LmdbStoreOptions) {
    super(name, new LmdbSegments(name, options), options);
  }
}
