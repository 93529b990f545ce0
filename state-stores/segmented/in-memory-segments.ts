/**
 * In-memory segments: one {@link SortedBytesMap} per segment. Nothing survives a restart.
 */
import type { StateStoreContext } from '../../core/processor/state-store.ts';
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';
import { SortedBytesMap } from '../sorted-bytes-map.ts';
import type { Segment, Segments, SegmentsState } from './segments.ts';

class InMemorySegment implements Segment {
  readonly map = new SortedBytesMap<Buffer>();
  constructor(readonly id: number) {}
  get(key: Buffer): Buffer | undefined {
    return this.map.get(key);
  }
  put(key: Buffer, value: Buffer | null): void {
    if (value === null) this.map.delete(key);
    else this.map.set(key, value);
  }
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): Iterable<KeyValueBytesEntry> {
    return this.map.range(from, to, reverse);
  }
  approximateCount(): number {
    return this.map.size;
  }
}

export class InMemorySegments implements Segments {
  readonly persistent = false;

  open(_context: StateStoreContext): SegmentsState {
    return { streamTime: -1, ids: [] };
  }
  create(id: number): Segment {
    return new InMemorySegment(id);
  }
  drop(segment: Segment): void {
    (segment as InMemorySegment).map.clear();
  }
  checkpoint(): void {}
  restoreTransaction(fn: () => void): void {
    fn();
  }
  writeDirect(segment: Segment, key: Buffer, value: Buffer | null): void {
    segment.put(key, value);
  }
  shouldSpill(): boolean {
    return false;
  }
  spill(): void {}
  restoredOffset(): number | null {
    return null;
  }
  wipe(segments: readonly Segment[]): void {
    for (const s of segments) (s as InMemorySegment).map.clear();
  }
  close(): void {}
}
