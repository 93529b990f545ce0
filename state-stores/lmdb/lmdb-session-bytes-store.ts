/**
 * The LMDB session store: segments (by session end) are LMDB databases in the task's environment.
 */
import { LmdbSegments } from '../segmented/lmdb-segments.ts';
import { SegmentedSessionBytesStore, type SessionBytesStoreOptions } from '../segmented/segmented-session-bytes-store.ts';
import type { LmdbStoreOptions } from './lmdb-key-value-bytes-store.ts';

export class LmdbSessionBytesStore extends SegmentedSessionBytesStore {
  constructor(name: string, options: SessionBytesStoreOptions & LmdbStoreOptions) {
    super(name, new LmdbSegments(name, options), options);
  }
}
