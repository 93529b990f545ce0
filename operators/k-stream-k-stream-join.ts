/**
 * The windowed stream-stream join (Kafka Streams 3.1+ `KStreamKStreamJoin`). One processor per side of
 * the join and task: a record is put into this side's window store (which retains duplicates), then
 * joined with every record of the other side's window store that has the same key and a timestamp in
 * this record's window; each result carries the larger of the two timestamps and this record's headers.
 *
 * Both processors of a task share the join's stream time (the largest timestamp either side has seen).
 * Out-of-order records are accepted for {@link JoinWindows.acceptMs} behind stream time; later ones
 * are late, dropped and counted.
 *
 * Left and outer joins never emit a null side eagerly: a record of an outer side that found no partner
 * waits in the outer join shared store (keyed by time) and is emitted with a null side, at its own
 * timestamp, once no partner can be accepted any more ({@link JoinWindows.closeDelayMs} after it), so
 * a null result is never followed by a match. A partner arriving before that removes it from the store.
 *
 * Dropped (counted in {@link DroppedRecords}), as in Kafka Streams before 3.7: records with a null key
 * (they cannot match any key) and records with a null value (in a key-value model null means "no
 * record"; in left/outer joins null stands for the missing side).
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Headers, Record } from '../core/processor/record.ts';
import type { DroppedRecords } from './dropped-records.ts';
import type { JoinWindows } from './join-windows.ts';
import type { OuterJoinStoreView, TimestampedKeyAndJoinSide } from './outer-join-store.ts';
import type { WindowStoreView } from './store-views.ts';
import type { ValueJoiner } from './value-joiner.ts';

/** The stream time of one join in one task, shared by its two processors. */
export class JoinTimeTracker {
  /** The largest timestamp either side has seen; -1 before the first record. */
  streamTime = -1;
  /** The smallest timestamp in the outer join store; -1 when unknown (after a restart), Infinity when empty. */
  minTime = -1;
}

/** What both processors of one join share (one object per DSL join, for every task). */
export interface StreamStreamJoinSettings<K> {
  readonly windows: JoinWindows;
  /** The user's joiner, left value first; the missing side of an outer result is null. */
  readonly joiner: ValueJoiner<K, unknown, unknown, unknown>;
  readonly leftOuter: boolean;
  readonly rightOuter: boolean;
  readonly leftStoreName: string;
  readonly rightStoreName: string;
  /** The outer join shared store; null for inner joins. */
  readonly outerStoreName: string | null;
  readonly dropped: DroppedRecords;
  /** Per-task trackers, keyed by the task's left window store. */
  readonly trackers: WeakMap<object, JoinTimeTracker>;
}

/**
 * One side of a stream-stream join.
 *
 * @example
 * topology.addProcessor('j-this-join', kStreamKStreamJoin(true, settings), 'clicks');
 */
export class KStreamKStreamJoin<K, V, VO> implements Processor<K, V, K, unknown> {
  private context!: ProcessorContext<K, unknown>;
  private thisStore!: WindowStoreView<K, V>;
  private otherStore!: WindowStoreView<K, VO>;
  private outerStore: OuterJoinStoreView<K> | null = null;
  private tracker!: JoinTimeTracker;
  /** This side's view of the window: partners lie in `[t - beforeMs, t + afterMs]`. */
  private readonly beforeMs: number;
  private readonly afterMs: number;
  private readonly outer: boolean;
  private readonly otherOuter: boolean;
  private readonly joiner: ValueJoiner<K, unknown, unknown, unknown>;
  /** How far behind stream time a record of this side is still accepted. */
  private readonly acceptMs: number;
  /** How long after their timestamps unmatched left / right records wait. */
  private readonly leftDelay: number;
  private readonly rightDelay: number;
  private readonly minDelay: number;

  constructor(
    private readonly isLeftSide: boolean,
    private readonly settings: StreamStreamJoinSettings<K>,
  ) {
    const w = settings.windows;
    this.beforeMs = isLeftSide ? w.beforeMs : w.afterMs;
    this.afterMs = isLeftSide ? w.afterMs : w.beforeMs;
    this.outer = isLeftSide ? settings.leftOuter : settings.rightOuter;
    this.otherOuter = isLeftSide ? settings.rightOuter : settings.leftOuter;
    this.joiner = settings.joiner;
    this.acceptMs = w.acceptMs(isLeftSide);
    this.leftDelay = w.closeDelayMs(true);
    this.rightDelay = w.closeDelayMs(false);
    this.minDelay = Math.min(this.leftDelay, this.rightDelay);
  }

  init(context: ProcessorContext<K, unknown>): void {
    const s = this.settings;
    this.context = context;
    this.thisStore = context.getStateStore<WindowStoreView<K, V>>(this.isLeftSide ? s.leftStoreName : s.rightStoreName);
    this.otherStore = context.getStateStore<WindowStoreView<K, VO>>(this.isLeftSide ? s.rightStoreName : s.leftStoreName);
    if (s.outerStoreName !== null) this.outerStore = context.getStateStore<OuterJoinStoreView<K>>(s.outerStoreName);
    const leftStore = this.isLeftSide ? this.thisStore : this.otherStore;
    let tracker = s.trackers.get(leftStore);
    if (tracker === undefined) s.trackers.set(leftStore, (tracker = new JoinTimeTracker()));
    this.tracker = tracker;
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    const value = record.value;
    const ts = record.timestamp;
    const tracker = this.tracker;
    if (ts > tracker.streamTime) tracker.streamTime = ts;
    if (key === null || key === undefined || value === null || value === undefined) {
      this.settings.dropped.nullKeyOrValue++;
      return;
    }
    if (ts + this.acceptMs < tracker.streamTime) {
      this.settings.dropped.late++;
      return;
    }
    if (this.outerStore !== null && ts === tracker.streamTime) this.emitNonJoined();
    this.thisStore.put(key, value, ts);
    const from = ts - this.beforeMs;
    const to = ts + this.afterMs;
    let matched = false;
    for (const other of this.otherStore.fetchRange(key, from < 0 ? 0 : from, to < 0 ? 0 : to)) {
      matched = true;
      const otherTs = other.windowStart;
      if (this.otherOuter) this.removeUnmatched(key, otherTs);
      const result = this.isLeftSide ? this.joiner(value, other.value, key) : this.joiner(other.value, value, key);
      this.context.forward(new Record(key, result, ts > otherTs ? ts : otherTs, record.headers));
    }
    if (!matched && this.outer) this.addUnmatched(key, value, ts);
  }

  /** A partner arrived for the other side's unmatched records of `key` at `otherTs`: they are no longer unmatched. */
  private removeUnmatched(key: K, otherTs: number): void {
    const store = this.outerStore!;
    const k: TimestampedKeyAndJoinSide<K> = { timestamp: otherTs, leftSide: !this.isLeftSide, key };
    if (store.get(k) !== undefined) store.put(k, null);
  }

  private addUnmatched(key: K, value: V, ts: number): void {
    const store = this.outerStore!;
    const k: TimestampedKeyAndJoinSide<K> = { timestamp: ts, leftSide: this.isLeftSide, key };
    const existing = store.get(k);
    if (existing === undefined) store.put(k, { leftSide: this.isLeftSide, values: [value] });
    else {
      existing.values.push(value);
      store.put(k, existing);
    }
    if (ts < this.tracker.minTime) this.tracker.minTime = ts;
  }

  /**
   * Emits, in timestamp order, the unmatched records whose wait is over (`t + closeDelay < stream time`)
   * with a null other side, and deletes them from the store.
   */
  private emitNonJoined(): void {
    const tracker = this.tracker;
    const streamTime = tracker.streamTime;
    if (tracker.minTime + this.minDelay >= streamTime) return;
    const store = this.outerStore!;
    let minOpen = Number.POSITIVE_INFINITY;
    const emitted: TimestampedKeyAndJoinSide<K>[] = [];
    for (const { key, value } of store.all()) {
      const t = key.timestamp;
      if (t + (key.leftSide ? this.leftDelay : this.rightDelay) >= streamTime) {
        if (t < minOpen) minOpen = t;
        if (t + this.minDelay >= streamTime) break; // every later entry is still waiting
        continue;
      }
      const headers = new Headers();
      for (const v of value.values) {
        const result = key.leftSide ? this.joiner(v, null, key.key) : this.joiner(null, v, key.key);
        this.context.forward(new Record(key.key, result, t, headers));
      }
      emitted.push(key);
    }
    for (const key of emitted) store.put(key, null);
    tracker.minTime = minOpen;
  }
}

/** A supplier of one side of a {@link KStreamKStreamJoin}. */
export function kStreamKStreamJoin<K, V, VO>(isLeftSide: boolean, settings: StreamStreamJoinSettings<K>): () => KStreamKStreamJoin<K, V, VO> {
  return () => new KStreamKStreamJoin<K, V, VO>(isLeftSide, settings);
}
