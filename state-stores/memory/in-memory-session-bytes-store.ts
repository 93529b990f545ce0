/**
 * The in-memory session store: segments (by session end) are sorted maps; restored from the changelog
 * when the task starts.
 */
import { InMemorySegments } from '../segmented/in-memory-segments.ts';
import { SegmentedSessionBytesStore, type SessionBytesStoreOptions } from '../segmented/segmented-session-bytes-store.ts';

export class InMemorySessionBytesStore extends SegmentedSessionBytesStore {
  constructor(name: string, options: SessionBytesStoreOptions) {
    super(name, new InMemorySegments(), options);
  }
}
